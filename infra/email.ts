/**
 * Mail from the domain through SES: the domain identity with Easy DKIM and
 * a custom MAIL FROM domain, so messages align for SPF and DKIM alike.
 */
import * as aws from "@pulumi/aws";
import type * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import { dnsRecord, VALIDATION_TTL, type Zone } from "./dns.ts";

/** Easy DKIM always publishes three selectors (SES developer guide). */
export const EASY_DKIM_SELECTORS = 3;
/** The sub-domain of the MAIL FROM (envelope sender) address. */
export const MAIL_FROM_LABEL = "bounce";

/** What the user pool needs to send mail as the domain. */
export interface MailIdentity {
  /** The identity's ARN, known only once SES has verified the domain. */
  readonly identityArn: pulumi.Output<string>;
  /** Completes when SES reports the domain verified; Cognito waits on it. */
  readonly verified: pulumi.Resource;
  readonly fromAddress: string;
}

/**
 * The SES identity, its DKIM records and its MAIL FROM records, and a wait
 * until SES has verified the domain: Cognito refuses a source identity that
 * is not verified yet, and SES verifies an Easy DKIM domain only once it
 * finds the three CNAMEs, minutes after they exist.
 */
export function createMailIdentity(zone: Zone, region: string): MailIdentity {
  const identity = new aws.sesv2.EmailIdentity("mail", {
    emailIdentity: zone.domain,
    dkimSigningAttributes: { nextSigningKeyLength: "RSA_2048_BIT" },
  });
  const dkimRecords: cloudflare.DnsRecord[] = [];
  for (let index = 0; index < EASY_DKIM_SELECTORS; index++) {
    const token = identity.dkimSigningAttributes.apply(
      (attributes) => attributes.tokens[index] ?? "",
    );
    const record = dnsRecord(`mail-dkim-${index + 1}`, zone, {
      name: pulumi.interpolate`${token}._domainkey.${zone.domain}`,
      type: "CNAME",
      content: pulumi.interpolate`${token}.dkim.amazonses.com`,
      ttl: VALIDATION_TTL,
      comment: "SES Easy DKIM",
    });
    dkimRecords.push(record);
  }
  // Polls SES until the domain's verification status is Success, which a
  // DKIM-verified domain reaches without the legacy _amazonses TXT record
  // (SES API reference, VerifyDomainIdentity); gives up after 45 minutes.
  const verified = new aws.ses.DomainIdentityVerification(
    "mail-verification",
    { domain: identity.emailIdentity },
    { dependsOn: dkimRecords },
  );

  const mailFromDomain = `${MAIL_FROM_LABEL}.${zone.domain}`;
  new aws.sesv2.EmailIdentityMailFromAttributes("mail-from", {
    emailIdentity: identity.emailIdentity,
    mailFromDomain,
    behaviorOnMxFailure: "USE_DEFAULT_VALUE",
  });
  dnsRecord("mail-from-mx", zone, {
    name: mailFromDomain,
    type: "MX",
    content: `feedback-smtp.${region}.amazonses.com`,
    priority: 10,
    comment: "SES MAIL FROM",
  });
  dnsRecord("mail-from-spf", zone, {
    name: mailFromDomain,
    type: "TXT",
    content: '"v=spf1 include:amazonses.com ~all"',
    comment: "SES MAIL FROM",
  });

  return {
    identityArn: verified.arn,
    verified,
    fromAddress: `noreply@${zone.domain}`,
  };
}
