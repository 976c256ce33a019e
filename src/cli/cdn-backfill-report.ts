/**
 * What `core cdn backfill` and `core cdn verify` print: a progress bar on a
 * terminal while copying, then a summary table and the problems by key.
 */
import { SingleBar } from "cli-progress";
import type { BackfillProgress, DirSummary } from "../cdn/backfill-summary.ts";
import type { DirVerification } from "../cdn/verify.ts";

/** Problems listed per directory before "... and N more". */
const MAX_LISTED = 20;

/**
 * A progress bar (objects, bytes, rate) fed by backfill's callback, on a
 * terminal only; the total grows as each directory is planned.
 */
export function backfillProgressBar(
  stream: NodeJS.WriteStream = process.stderr,
): {
  onProgress: (progress: BackfillProgress) => void;
  stop: () => void;
} {
  if (!stream.isTTY) return { onProgress() {}, stop() {} };

  const bar = new SingleBar({
    format: "{bar} {value}/{total} objects | {copied} | {rate} objects/s",
    stream,
    hideCursor: true,
    clearOnComplete: false,
  });
  bar.start(0, 0, { copied: formatBytes(0), rate: 0 });
  const started = Date.now();
  let done = 0;
  let bytes = 0;

  return {
    onProgress(progress) {
      if (progress.kind === "planned") {
        bar.setTotal(bar.getTotal() + progress.objects);
        return;
      }
      done += 1;
      bytes += progress.bytes;
      const seconds = Math.max((Date.now() - started) / 1000, 0.001);
      bar.update(done, {
        copied: formatBytes(bytes),
        rate: Math.round(done / seconds),
      });
    },
    stop: () => bar.stop(),
  };
}

/** Prints one row per directory, then failures, refusals and warnings. */
export function printBackfillSummary(
  summaries: readonly DirSummary[],
  write: (line: string) => void = console.log,
): void {
  const dryRun = summaries.some((summary) => summary.dryRun);
  const header = dryRun
    ? ["dir", "to copy", "bytes", "unchanged", "to delete", "refused"]
    : ["dir", "copied", "bytes", "unchanged", "deleted", "refused", "failed"];
  const rows = summaries.map((s) =>
    dryRun
      ? [
          s.dir,
          s.toCopy,
          formatBytes(s.toCopyBytes),
          s.unchanged,
          s.toDelete,
          s.refused.length,
        ]
      : [
          s.dir,
          s.copied,
          formatBytes(s.bytes),
          s.unchanged,
          s.deleted,
          s.refused.length,
          s.failures.length + (s.error ? 1 : 0),
        ],
  );
  printColumns([header, ...rows.map((row) => row.map(String))], write);

  for (const s of summaries) {
    if (s.error) write(`${s.dir}: not backfilled: ${s.error}`);
    listSome(
      s.failures,
      (f) => `${s.dir}: ${f.action} failed: ${f.message}`,
      write,
    );
    listSome(
      s.refused,
      (r) => `${s.dir}: refused ${r.key}: ${r.reason}`,
      write,
    );
    if (s.deleteRefused) {
      write(
        `${s.dir}: ${s.toDelete} objects have no source, more than the cap of ${s.deleteCap}; nothing deleted (raise --max-delete or pass --force-delete)`,
      );
    }
    if (s.vanished > 0) {
      write(
        `${s.dir}: ${s.vanished} objects were deleted from the source during the run`,
      );
    }
    if (s.interrupted) write(`${s.dir}: interrupted; run again to finish`);
    if (s.purged > 0) {
      const first = s.firstPurged ? ` (first ${s.firstPurged})` : "";
      write(`${s.dir}: purged ${s.purged} CDN URLs${first}`);
    }
    for (const p of s.purgeFailures) {
      write(
        `${s.dir}: purge of ${p.urls} CDN URLs (first ${p.first}) failed: ${p.message}; the cache TTL bounds how long they stay stale`,
      );
    }
  }
}

/**
 * Prints each difference; returns the number found, counting a directory
 * that could not be compared as one, and a key gone during the run as one
 * too: it was not compared, so the run cannot say everything matches.
 */
export function printVerification(
  results: readonly DirVerification[],
  write: (line: string) => void = console.log,
): number {
  let differences = 0;
  for (const result of results) {
    if (result.error) {
      write(`${result.dir} (${result.bucket}): not verified: ${result.error}`);
      differences += 1;
      continue;
    }
    differences += result.differences.length + result.gone.length;
    const gone =
      result.gone.length > 0
        ? `, ${result.gone.length} gone during the run (verify again)`
        : "";
    write(
      `${result.dir} (${result.bucket}): ${result.same} same, ${result.differences.length} differences${gone}`,
    );
    for (const difference of result.differences) {
      write(`  ${difference.kind.padEnd(9)} ${result.dir}/${difference.key}`);
    }
    for (const key of result.gone) write(`  gone      ${result.dir}/${key}`);
    for (const refused of result.refused) {
      write(`  refused   ${refused.key}: ${refused.reason}`);
    }
  }

  return differences;
}

function printColumns(
  rows: readonly (readonly string[])[],
  write: (line: string) => void,
): void {
  const widths = rows[0]?.map((_, column) =>
    Math.max(...rows.map((row) => row[column]?.length ?? 0)),
  );
  for (const row of rows) {
    write(
      row
        .map((cell, column) => cell.padEnd(widths?.[column] ?? 0))
        .join("  ")
        .trimEnd(),
    );
  }
}

function listSome<T>(
  items: readonly T[],
  line: (item: T) => string,
  write: (line: string) => void,
): void {
  for (const item of items.slice(0, MAX_LISTED)) write(line(item));
  if (items.length > MAX_LISTED)
    write(`... and ${items.length - MAX_LISTED} more`);
}

/** 1536 → "1.5 KiB". */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }

  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}
