/**
 * The page's sign-in pieces that need no browser: reading the token endpoint's answer (plain text
 * or JSON), reading `/api/config`, which way it signs in for which settings, which messages
 * from an embedding page it takes a token from, and what it says when no token comes.
 */
import { describe, expect, it } from "vitest";
import { TOKEN_MESSAGE, embedToken } from "../../src/client/sign-in/embed-message.ts";
import { chooseIdentity } from "../../src/client/sign-in/identity-choice.ts";
import { ANONYMOUS_CONFIG, readPageConfig } from "../../src/client/sign-in/page-config.ts";
import { TokenUrlError, tokenInBody } from "../../src/client/sign-in/token-body.ts";
import { signInProblem } from "../../src/client/sign-in/sign-in-problem.ts";

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

describe("the way the page signs in", () => {
  const none = ANONYMOUS_CONFIG;
  const url = "https://app.example/chat-token";
  const listed = ["https://app.example"];

  it("is anonymous without any setting, and none at all under AUTH_REQUIRED alone (the page then says so and connects nowhere)", () => {
    expect(chooseIdentity(none, false, false)).toBe("anonymous");
    expect(chooseIdentity({ ...none, authRequired: true }, false, false)).toBe("unavailable");
    // Embedded without listed origins, or ?embed=1 opened on its own: no embedder to ask.
    expect(chooseIdentity({ ...none, authRequired: true }, true, true)).toBe("unavailable");
    expect(chooseIdentity({ ...none, authRequired: true, allowedOrigins: listed }, true, false)).toBe("unavailable");
  });

  it("is Access's identity (a hello without token or auth) when the Worker saw the Access header and there is no token endpoint", () => {
    expect(chooseIdentity({ ...none, access: true }, false, false)).toBe("access");
    expect(chooseIdentity({ ...none, access: true, authRequired: true }, false, false)).toBe("access");
    expect(chooseIdentity({ ...none, access: true, authTokenUrl: url }, false, false)).toBe("token-url");
  });

  it("is the token endpoint when there is one, and the embedding page's tokens when framed with origins listed", () => {
    expect(chooseIdentity({ ...none, authTokenUrl: url, authRequired: true }, false, false)).toBe("token-url");
    expect(chooseIdentity({ ...none, authTokenUrl: url, allowedOrigins: listed }, true, true)).toBe("embedder");
    expect(chooseIdentity({ ...none, allowedOrigins: listed }, false, true)).toBe("anonymous");
  });
});

describe("what the page says when the token endpoint gives no token", () => {
  it("sends someone the host application does not know (401, 403) to sign in there", () => {
    for (const status of [401, 403]) {
      expect(signInProblem(new TokenUrlError(status, `token endpoint answered ${status}`))).toBe(
        "You are not signed in to the application this chat belongs to. Sign in there; this page connects by itself once you are.",
      );
    }
  });

  it("names any other failure, and says it keeps trying", () => {
    expect(signInProblem(new TokenUrlError(500, "token endpoint answered 500"))).toBe("Could not get your sign-in (token endpoint answered 500). Trying again…");
    expect(signInProblem(new TypeError("Failed to fetch"))).toBe("Could not get your sign-in (Failed to fetch). Trying again…");
  });
});
