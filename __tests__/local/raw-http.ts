/** Raw HTTP/1.1 over a socket, for what fetch cannot send: half-closes, pipelined bytes, CONNECT, malformed requests. */
import * as net from "net";

/** What the client does once its bytes are written: nothing, go away at once, or end its sending side (FIN) and keep reading. */
export type RawAfter = "keep" | "destroy" | "half-close";

export interface RawExchange {
  readonly text: string;
  readonly closedByServer: boolean;
  readonly elapsedMs: number;
}

/** Writes `bytes` on a fresh connection to 127.0.0.1:`port` and collects what comes back until the server closes it (or `waitMs`). */
export function exchangeRaw(port: number, bytes: string | Buffer, waitMs: number, after: RawAfter = "keep"): Promise<RawExchange> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect(port, "127.0.0.1");
    let text = "";
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text, closedByServer: false, elapsedMs: Date.now() - started });
    }, waitMs);
    socket.on("data", (chunk) => (text += chunk.toString()));
    socket.on("close", () => {
      clearTimeout(timer);
      resolve({ text, closedByServer: true, elapsedMs: Date.now() - started });
    });
    socket.on("error", () => undefined);
    socket.write(bytes, () => {
      if (after === "destroy") socket.destroy();
      if (after === "half-close") socket.end();
    });
  });
}
