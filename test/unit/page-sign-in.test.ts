/**
 * The page's sign-in pieces that need no browser: reading the token endpoint's answer (plain text
 * or JSON), reading `/api/config`, and which messages from an embedding page it takes a token from.
 */
import { describe, expect, it } from "vitest";
import { TOKEN_MESSAGE, embedToken } from "../../src/client/sign-in/embed-message.ts";
import { ANONYMOUS_CONFIG, readPageConfig } from "../../src/client/sign-in/page-config.ts";
import { TokenUrlError, tokenInBody } from "../../src/client/sign-in/token-body.ts";

const TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZGEifQ.c2lnbmF0dXJl";

describe("the token endpoint's answer", () => {
  it("is the token as plain text, or JSON with a string token, whitespace around either dropped", () => {
    expect(tokenInBody(TOKEN)).toBe(TOKEN);
    expect(tokenInBody(`  ${TOKEN}\n`)).toBe(TOKEN);
    expect(tokenInBody(JSON.stringify({ token: TOKEN, expiresIn: 900 }))).toBe(TOKEN);
  });

  it("is refused with a clear error when it holds no signed token", () => {
    for (const body of ["", "<html>sign in</html>", "{not json", JSON.stringify({ token: 7 }), JSON.stringify({ jwt: TOKEN }), "a.b", "a b.c.d"]) {
      expect(() => tokenInBody(body), body).toThrow(TokenUrlError);
    }
  });
});

describe("the page's settings", () => {
  it("take each field of /api/config as given, and fall back field by field when one is not what it should be", () => {
    const config = { authTokenUrl: "https://app.example/t", authRequired: true, access: true, allowedOrigins: ["https://app.example"] };
    expect(readPageConfig(config)).toEqual(config);
    expect(readPageConfig(null)).toEqual(ANONYMOUS_CONFIG);
    expect(readPageConfig({ authTokenUrl: 5, authRequired: "true", access: 1, allowedOrigins: ["https://a.example", 3] })).toEqual({
      ...ANONYMOUS_CONFIG,
      allowedOrigins: ["https://a.example"],
    });
  });
});

describe("a message from the embedding page", () => {
  const origins = ["https://app.example"];

  it("gives its token when it comes from a listed origin in the documented shape", () => {
    expect(embedToken({ origin: "https://app.example", data: { type: TOKEN_MESSAGE, token: TOKEN } }, origins)).toBe(TOKEN);
  });

  it("is ignored from any other origin, and in any other shape", () => {
    expect(embedToken({ origin: "https://evil.example", data: { type: TOKEN_MESSAGE, token: TOKEN } }, origins)).toBeUndefined();
    expect(embedToken({ origin: "https://app.example.evil.example", data: { type: TOKEN_MESSAGE, token: TOKEN } }, origins)).toBeUndefined();
    expect(embedToken({ origin: "https://app.example", data: { type: "other", token: TOKEN } }, origins)).toBeUndefined();
    expect(embedToken({ origin: "https://app.example", data: { type: TOKEN_MESSAGE, token: 1 } }, origins)).toBeUndefined();
    expect(embedToken({ origin: "https://app.example", data: TOKEN }, origins)).toBeUndefined();
    expect(embedToken({ origin: "https://app.example", data: null }, origins)).toBeUndefined();
  });
});
