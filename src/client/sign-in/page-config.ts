/** The deployment's sign-in settings, from `GET /api/config` (the Worker's vars: docs/AUTH.md, "The page"). */
import type { PageConfig } from "@edge-chat/protocol";

/** What a page assumes when the Worker cannot say: anonymous tokens, nothing embedded. */
export const ANONYMOUS_CONFIG: PageConfig = { authTokenUrl: null, authRequired: false, access: false, allowedOrigins: [] };

/** Reads the page's settings; the anonymous defaults when the answer is missing or malformed. */
export async function loadPageConfig(): Promise<PageConfig> {
  try {
    const response = await fetch("/api/config", { cache: "no-store" });
    if (!response.ok) return ANONYMOUS_CONFIG;
    return readPageConfig(await response.json());
  } catch {
    return ANONYMOUS_CONFIG;
  }
}

/** The settings in an answer, each field checked (an unexpected one falls back to its anonymous default). */
export function readPageConfig(value: unknown): PageConfig {
  const body = typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
  const origins = Array.isArray(body.allowedOrigins) ? body.allowedOrigins.filter((o): o is string => typeof o === "string") : [];
  return {
    authTokenUrl: typeof body.authTokenUrl === "string" ? body.authTokenUrl : null,
    authRequired: body.authRequired === true,
    access: body.access === true,
    allowedOrigins: origins,
  };
}
