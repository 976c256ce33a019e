/**
 * cognito-local "sends" sign-up and reset codes by printing a box on its own
 * console. This reads that output so the local core can show the code to a
 * developer signing up through their website, without the box's email
 * address.
 */

export interface ConfirmationCode {
  /** cognito-local's username: the user's id in a pool that signs in by email. */
  readonly username: string;
  readonly code: string;
}

/** Longest stretch of output kept while waiting for the end of a box. */
const MAX_BUFFERED = 16 * 1024;
const BOX = /Username:\s+(\S+)[\s\S]*?Code:\s+(\S+)/;

/** Feeds output chunks in; calls `onCode` once per complete delivery box. */
export function confirmationCodeReader(
  onCode: (delivery: ConfirmationCode) => void,
): (chunk: string) => void {
  let buffered = "";

  return function readChunk(chunk) {
    buffered = (buffered + chunk).slice(-MAX_BUFFERED);
    for (let match = BOX.exec(buffered); match; match = BOX.exec(buffered)) {
      onCode({ username: match[1] ?? "", code: match[2] ?? "" });
      buffered = buffered.slice((match.index ?? 0) + match[0].length);
    }
  };
}
