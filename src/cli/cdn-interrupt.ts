/**
 * Ctrl-C during `core cdn backfill`. The first one stops new copies and
 * lets those in flight finish, so the summary counts them; the second cuts
 * those off too and gives Ctrl-C back to Node, so a third ends the process
 * at once should anything still hold it up (a batch delete, for one).
 */

/** What a SIGINT listener is registered on: the process, or a test's emitter. */
export interface SignalSource {
  on(event: "SIGINT", listener: () => void): unknown;
  off(event: "SIGINT", listener: () => void): unknown;
}

export interface BackfillInterrupt {
  /** Aborted by the first Ctrl-C: start no more copies. */
  readonly stop: AbortSignal;
  /** Aborted by the second: cut off the requests in flight. */
  readonly abort: AbortSignal;
  /** Removes the listener; call once the backfill has returned. */
  dispose(): void;
}

/** Listens for Ctrl-C on `source`; `notify` tells the user what happens. */
export function listenForCtrlC(
  notify: (line: string) => void = console.error,
  source: SignalSource = process,
): BackfillInterrupt {
  const stop = new AbortController();
  const abort = new AbortController();
  const onCtrlC = () => {
    if (!stop.signal.aborted) {
      stop.abort();
      notify(
        "core: finishing the copies in flight, then the summary; press Ctrl-C again to cut them off",
      );
      return;
    }
    abort.abort();
    source.off("SIGINT", onCtrlC);
    notify("core: cutting off the copies in flight; a rerun copies them");
  };
  source.on("SIGINT", onCtrlC);

  return {
    stop: stop.signal,
    abort: abort.signal,
    dispose: () => source.off("SIGINT", onCtrlC),
  };
}
