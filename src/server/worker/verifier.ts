/**
 * The Worker's verifier of signed HTTP credentials: one per isolate and configuration (its HS256
 * keys imported once, its key set cached across requests; fetches of the set are not shared
 * between requests, which a stateless Worker may not do).
 */
import { readAuthConfig, type ConfigVars } from "../config.ts";
import { TokenVerifier } from "../identity/signed-tokens.ts";

let kept: { vars: string; verifier: TokenVerifier } | undefined;

/** The verifier for the Worker's vars (made again only when they changed). */
export function workerVerifier(env: ConfigVars): TokenVerifier {
  const config = readAuthConfig(env);
  const vars = JSON.stringify(config);
  if (kept?.vars !== vars) kept = { vars, verifier: new TokenVerifier(config, false) };
  return kept.verifier;
}
