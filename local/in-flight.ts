/**
 * The local API's requests that have no answer yet, per connection: a protocol error on a connection waits for the
 * answers it still owes (client-errors.ts), and a stop waits for, or cuts short, every one of them (api-server.ts).
 */
import type { ServerResponse } from "http";
import type { Duplex } from "stream";
import type { GatewayAnswer } from "./apigw-response";

/** Answers the request (once; later calls do nothing), with its access-log line; `note` says why, for the log. */
export type Answerer = (answer: GatewayAnswer, note?: string) => void;

export class InFlightRequests {
  private readonly answerers = new Map<ServerResponse, Answerer>();
  private readonly bySocket = new Map<Duplex, Set<ServerResponse>>();
  private readonly whenSocketFree = new Map<Duplex, (() => void)[]>();
  private whenNone: (() => void)[] = [];

  /** Tracks `res` until it is answered or its connection closes (its "close" event, either way). */
  add(res: ServerResponse, answer: Answerer): void {
    const socket = res.req.socket;
    this.answerers.set(res, answer);
    const pending = this.bySocket.get(socket) ?? new Set<ServerResponse>();
    pending.add(res);
    this.bySocket.set(socket, pending);
    res.once("close", () => this.remove(socket, res));
  }

  get size(): number {
    return this.answerers.size;
  }

  /** Every request still waiting, with the function that answers it. */
  entries(): [ServerResponse, Answerer][] {
    return [...this.answerers];
  }

  /** The requests of one connection still waiting for their answer. */
  of(socket: Duplex): ReadonlySet<ServerResponse> {
    return this.bySocket.get(socket) ?? new Set();
  }

  /** Runs `then` once no request of `socket` waits for an answer any more (at once when none does). */
  afterAnswersOf(socket: Duplex, then: () => void): void {
    if (!this.bySocket.has(socket)) return then();
    this.whenSocketFree.set(socket, [...(this.whenSocketFree.get(socket) ?? []), then]);
  }

  /** Resolves once no request at all waits for an answer. */
  allAnswered(): Promise<void> {
    if (this.answerers.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.whenNone.push(resolve));
  }

  private remove(socket: Duplex, res: ServerResponse): void {
    this.answerers.delete(res);
    const pending = this.bySocket.get(socket);
    pending?.delete(res);
    if (pending?.size === 0) {
      this.bySocket.delete(socket);
      const waiting = this.whenSocketFree.get(socket) ?? [];
      this.whenSocketFree.delete(socket);
      for (const then of waiting) then();
    }
    if (this.answerers.size === 0) {
      const waiting = this.whenNone;
      this.whenNone = [];
      for (const resolve of waiting) resolve();
    }
  }
}
