import { describe, expect, it } from "vitest";
import {
  type ConfirmationCode,
  confirmationCodeReader,
} from "../../src/local/engines/confirmation-codes.ts";
import { formatConfirmationCode } from "../../src/local/log-format.ts";

const BOX = `╭──────────────────────────────────────────────╮
│   Confirmation Code Delivery                 │
│                                              │
│   Username:    0b6f1d2e-7c1a-4f6e-9b1e-3c2d │
│   Destination: someone@example.test          │
│   Code:        123456                        │
╰──────────────────────────────────────────────╯
`;

describe("confirmation codes printed by cognito-local", () => {
  it("reads a code whose box arrives in pieces, once", () => {
    const seen: ConfirmationCode[] = [];
    const read = confirmationCodeReader((delivery) => seen.push(delivery));

    read("[info] some log line\n");
    read(BOX.slice(0, 150));
    read(BOX.slice(150));
    read("[info] another line\n");

    expect(seen).toEqual([
      { username: "0b6f1d2e-7c1a-4f6e-9b1e-3c2d", code: "123456" },
    ]);
  });

  it("reads two boxes in one chunk", () => {
    const seen: string[] = [];
    const read = confirmationCodeReader(({ code }) => seen.push(code));

    read(BOX + BOX.replace("123456", "654321"));

    expect(seen).toEqual(["123456", "654321"]);
  });

  it("shows the code and the user id, never an email address", () => {
    const byId = formatConfirmationCode({ username: "u-1", code: "123456" });
    const byEmail = formatConfirmationCode({
      username: "someone@example.test",
      code: "654321",
    });

    expect(byId).toMatch(/cognito +confirmation code 123456 userId=u-1$/);
    expect(byEmail).toMatch(/confirmation code 654321$/);
    expect(byEmail).not.toContain("@");
  });
});
