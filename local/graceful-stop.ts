/**
 * How the local API stops (SIGINT, SIGTERM) without losing an answer: it takes no new work (every request that
 * arrives gets a JSON 503 with Retry-After and the connection is closed), lets the requests in flight finish for up
 * to DRAIN_TIMEOUT_MS, answers those still running with the same 503, then closes its port and connections.
 */
import type { Server } from "http";
import { GatewayAnswer, SERVICE_UNAVAILABLE } from "./apigw-response";
import type { InFlightRequests } from "./in-flight";

/**
 * How long requests in flight may take to finish. Most take well under a second; a request still running after this
 * is one the function would answer late anyway. Below processes.ts's 15 s between SIGTERM and SIGKILL.
 */
export const DRAIN_TIMEOUT_MS = 10_000;
/** About what a restart of the local stack takes with a cached model: 40–53 s measured (docs/local.md, "Stopping"). */
export const STOPPING_RETRY_AFTER_SECONDS = 60;
/** After the drain: how long connections that are still sending a request get to receive its 503. */
const CLOSE_GRACE_MS = 1_000;

/** API Gateway's 503 body, with when to come back and the connection closed. */
export function stoppingAnswer(): GatewayAnswer {
  const answer = SERVICE_UNAVAILABLE();
  return { ...answer, headers: { ...answer.headers, "retry-after": [String(STOPPING_RETRY_AFTER_SECONDS)], connection: ["close"] } };
}

export class GracefulStop {
  private stopped: Promise<void> | undefined;
  private endWait: (() => void) | undefined;

  constructor(private readonly inFlight: InFlightRequests) {}

  /** True from the first stop() on: new requests are answered with stoppingAnswer(). */
  get stopping(): boolean {
    return this.stopped !== undefined;
  }

  /** Resolves once every request has its answer and the server is closed. A second call ends the wait at once. */
  stop(server: Server, drainMs = DRAIN_TIMEOUT_MS): Promise<void> {
    if (this.stopped) {
      this.endWait?.();
      return this.stopped;
    }
    this.stopped = this.drain(server, drainMs);
    return this.stopped;
  }

  private async drain(server: Server, drainMs: number): Promise<void> {
    // Answers still to come close their connection, so no client sends another request on it.
    for (const [res] of this.inFlight.entries()) if (!res.headersSent) res.setHeader("connection", "close");
    let timer: NodeJS.Timeout | undefined;
    const waitEnds = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, drainMs);
      this.endWait = resolve;
    });
    await Promise.race([this.inFlight.allAnswered(), waitEnds]);
    clearTimeout(timer);
    for (const [, answer] of this.inFlight.entries()) {
      answer(stoppingAnswer(), `the local API stopped before the function answered (waited ${drainMs} ms)`);
    }
    await new Promise<void>((resolve) => {
      // close() stops listening and closes idle connections; its callback runs once the last connection is gone.
      const grace = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
      server.close(() => {
        clearTimeout(grace);
        resolve();
      });
    });
  }
}
