/** A protocol server running on 127.0.0.1 for local development and tests. */
export interface Engine {
  /** Base URL, e.g. `http://127.0.0.1:4567`. */
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** Where an engine listens. Port 0 picks a free port. */
export interface Listen {
  port?: number;
}

export const LOOPBACK = "127.0.0.1";
