/**
 * The few globals the client uses, which every runtime it targets has (browsers, Node 22, Deno,
 * Bun, Workers): declared here so that the package type-checks without DOM or Node types. Only
 * the package's own tsconfig includes this file; nothing exported mentions these types.
 */
declare function setTimeout(callback: () => void, ms?: number): unknown;
declare function clearTimeout(timer: unknown): void;
declare function setInterval(callback: () => void, ms?: number): unknown;
declare function clearInterval(timer: unknown): void;
declare function btoa(data: string): string;
declare function atob(data: string): string;
declare const crypto: { getRandomValues<T extends Uint8Array>(array: T): T };
declare class TextDecoder {
  decode(input: Uint8Array): string;
}
declare const console: { warn(...data: unknown[]): void };
declare class URL {
  constructor(url: string, base?: string);
  protocol: string;
  pathname: string;
  search: string;
  hash: string;
  toString(): string;
}
declare function queueMicrotask(callback: () => void): void;
declare function fetch(
  url: string,
  init?: { method?: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; text(): Promise<string> }>;
declare function encodeURIComponent(component: string): string;
