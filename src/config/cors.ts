/**
 * `api.cors`: which web pages (origins) may call the API from a browser. Off by default; when set, API Gateway answers
 * the browser's preflight OPTIONS requests itself and adds the CORS headers to every answer (it ignores any the
 * function returns). The section lists what is the user's to choose; what the API itself needs is added here
 * (`corsSettings`): its methods, the request headers its bodies and auth mode use, the response headers worth reading.
 */
import { z } from "zod";

/**
 * What API Gateway accepts as an allowed origin (Configure CORS for HTTP APIs): "*", "https://*" / "http://*" (any
 * origin of that scheme) or one origin. Browsers send an origin as scheme://host[:port] in lower case, without a path,
 * so anything else would never match: it is refused here instead of failing silently in the browser.
 */
const ORIGIN = /^(\*|https?:\/\/\*|https?:\/\/[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?)$/;
/** An HTTP header name (RFC 9110 token), or "*". */
const HEADER_NAME = /^(\*|[A-Za-z0-9!#$%&'*+.^_`|~-]+)$/;

const origin = z
  .string()
  .regex(
    ORIGIN,
    'must be "*", "https://*", "http://*" or an origin such as "https://app.example.com" (lower case, no path or trailing slash)',
  );
const headerName = z.string().regex(HEADER_NAME, "must be an HTTP header name");

const unique = <T>(items: readonly T[]) => new Set(items).size === items.length;

export const corsSection = z
  .object({
    /** Origins whose pages may call the API. */
    allowOrigins: z.array(origin).min(1, "must list at least one origin").refine(unique, "must not repeat an origin"),
    /** Request headers a page may send besides the ones the API needs (content-type, and the auth mode's). */
    allowHeaders: z.array(headerName).default([]),
    /** Response headers a page's script may read besides retry-after and x-request-id. */
    exposeHeaders: z.array(headerName).default([]),
    /**
     * Seconds a browser may reuse a preflight answer for the same page and URL. Long, so a page does not pay a
     * preflight round trip before most uploads (Chrome caps it at 7200).
     */
    maxAgeSeconds: z
      .number()
      .int("must be an integer")
      .min(0, "must be at least 0")
      .max(86400, "must be at most 86400 (API Gateway's limit)")
      .default(7200),
    /** Let pages send cookies or HTTP authentication (this API reads neither: JWTs travel in the Authorization header). */
    allowCredentials: z.boolean().default(false),
  })
  .strict()
  .superRefine((cors, ctx) => {
    if (cors.allowCredentials && cors.allowOrigins.includes("*")) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ["allowCredentials"],
        message:
          'cannot be true with the origin "*" (API Gateway refuses it, and browsers refuse credentials with a wildcard origin): list the origins',
      });
    }
  });

export type CorsSection = z.output<typeof corsSection>;

/** The CORS configuration of the HTTP API, complete: what `cors_configuration` and the local API serve. */
export interface CorsSettings {
  readonly allowOrigins: readonly string[];
  readonly allowMethods: readonly string[];
  readonly allowHeaders: readonly string[];
  readonly exposeHeaders: readonly string[];
  readonly maxAgeSeconds: number;
  readonly allowCredentials: boolean;
}

/** Every route is a POST; OPTIONS is the preflight itself. */
export const CORS_METHODS = ["OPTIONS", "POST"] as const;

/**
 * Request headers the API needs from a page: Content-Type (image/*, application/json and application/octet-stream are
 * not "simple" types, so the browser asks first) and the auth mode's: a JWT's Authorization, or the SigV4 headers.
 */
export function corsRequestHeaders(authMode: "none" | "iam" | "jwt"): string[] {
  if (authMode === "jwt") return ["authorization", "content-type"];
  if (authMode === "iam") return ["authorization", "content-type", "x-amz-content-sha256", "x-amz-date", "x-amz-security-token"];
  return ["content-type"];
}

/** Response headers a page's script needs besides the ones browsers always expose: a 503's wait and the request id. */
export const CORS_EXPOSED_HEADERS = ["retry-after", "x-request-id"] as const;

export function corsSettings(section: CorsSection, authMode: "none" | "iam" | "jwt"): CorsSettings {
  const merged = (needed: readonly string[], extra: readonly string[]) =>
    [...new Set([...needed, ...extra.map((h) => h.toLowerCase())])].sort();
  return {
    allowOrigins: section.allowOrigins,
    allowMethods: [...CORS_METHODS],
    allowHeaders: merged(corsRequestHeaders(authMode), section.allowHeaders),
    exposeHeaders: merged(CORS_EXPOSED_HEADERS, section.exposeHeaders),
    maxAgeSeconds: section.maxAgeSeconds,
    allowCredentials: section.allowCredentials,
  };
}
