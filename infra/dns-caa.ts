/**
 * CAA records (RFC 8659, and RFC 9495 for `issuemail`): which certificate
 * authorities may issue for the domain, and where they report problems.
 * Content is written as in a zone file: `0 issue "letsencrypt.org"`.
 */

/** The property tags a CA acts on; others would be silently ignored. */
export const CAA_TAGS: readonly string[] = [
  "issue",
  "issuewild",
  "issuemail",
  "iodef",
];

/** A CAA record's fields: the tag lower-cased, the value unquoted. */
export interface CaaParts {
  readonly flags: number;
  readonly tag: string;
  readonly value: string;
}

/** The flags are one octet (RFC 8659, 4.1). */
const MAX_FLAGS = 255;
/** Schemes an `iodef` URL may use (RFC 8659, 4.4). */
const IODEF_SCHEMES = new Set(["mailto:", "http:", "https:"]);

const SHAPE = /^(\d{1,3})\s+([a-z0-9]+)\s+(?:"([^"]*)"|([^\s"]+))$/i;
/** `label` and `tag` of the issue-value grammar (RFC 8659, 4.2). */
const LABEL = "[a-z0-9](?:-*[a-z0-9])*";
const ISSUER = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`, "i");
/** A parameter value is printable ASCII without space or `;`. */
const PARAMETER = new RegExp(
  `^${LABEL}[ \\t]*=[ \\t]*[\\x21-\\x3a\\x3c-\\x7e]*$`,
  "i",
);

const EXAMPLE = `'0 issue "letsencrypt.org"'`;

/** The record's fields, or undefined when it is not a CAA record. */
export function parseCaa(content: string): CaaParts | undefined {
  const match = SHAPE.exec(content.trim());
  if (!match) return undefined;

  const tag = (match[2] ?? "").toLowerCase();
  const value = (match[3] ?? match[4] ?? "").trim();

  return { flags: Number(match[1]), tag, value };
}

/** What is wrong with a CAA record's content, or undefined. */
export function caaProblem(content: string): string | undefined {
  const parts = parseCaa(content);
  if (!parts) return `must look like ${EXAMPLE}`;
  if (parts.flags > MAX_FLAGS) return `flags must be 0 to ${MAX_FLAGS}`;
  if (!CAA_TAGS.includes(parts.tag)) {
    return `tag must be one of ${CAA_TAGS.join(", ")}`;
  }
  if (parts.tag === "iodef") return iodefProblem(parts.value);

  return issuerProblem(parts.value);
}

/**
 * `issue`, `issuewild` and `issuemail` name one CA by its domain, with
 * optional `; key=value` parameters, or forbid issuance with `;`.
 */
function issuerProblem(value: string): string | undefined {
  const [issuer = "", ...rest] = value.split(";");
  const parameters = rest.join(";").trim();
  const issuerValid = issuer.trim() === "" || ISSUER.test(issuer.trim());
  const parametersValid =
    parameters === "" ||
    parameters
      .split(";")
      .every((parameter) => PARAMETER.test(parameter.trim()));
  // An empty value forbids issuance too, but reads like a value left out.
  if (value === "" || !issuerValid || !parametersValid) {
    return `value must be a CA's domain, optionally followed by '; key=value' parameters (e.g. "letsencrypt.org; validationmethods=dns-01"), or ";" to forbid issuance`;
  }

  return undefined;
}

function iodefProblem(value: string): string | undefined {
  const scheme = URL.canParse(value) ? new URL(value).protocol : undefined;
  if (scheme && IODEF_SCHEMES.has(scheme)) return undefined;

  return `iodef value must be a mailto:, http: or https: URL`;
}
