/**
 * The owner's Integrations dialog, opened from Settings: the room's incoming hooks (make one: its
 * URL shown once, with a copy button and a ready `curl` line; list; delete) and outgoing webhooks
 * (add one with its URL and events: its signing secret shown once; each one's state: delivered up
 * to which message, failing since when; delete). It speaks to the room over HTTP with an owner
 * credential (`@edge-chat/client`'s `Integrations`): the owner key this browser keeps for the room,
 * or the token of a signed identity whose role claim is owner. Without either, the Settings dialog
 * shows no Integrations button.
 */
import { IntegrationError, Integrations } from "@edge-chat/client";
import type { WebhookEventKind } from "@edge-chat/protocol/integrations";
import { WEBHOOK_EVENTS } from "@edge-chat/protocol/integrations";
import { byId, el } from "./dom.ts";
import { toast } from "./toast.ts";

const when = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

/** The dialog of one room. */
export class IntegrationsDialog {
  readonly #room: string;
  readonly #credential: () => string | undefined;
  readonly #button = byId("integrations-button", HTMLButtonElement);
  readonly #dialog = byId("integrations-dialog", HTMLDialogElement);
  readonly #error = byId("integrations-error", HTMLElement);

  /** `credential` gives the owner credential this page holds for the room now (undefined: not an owner here). */
  constructor(room: string, credential: () => string | undefined) {
    this.#room = room;
    this.#credential = credential;
    const button = this.#button;
    this.update();
    button.addEventListener("click", () => {
      byId("settings-dialog", HTMLDialogElement).close();
      void this.open();
    });
    byId("integrations-close", HTMLButtonElement).addEventListener("click", () => this.#dialog.close());
    byId("hook-form", HTMLFormElement).addEventListener("submit", (event) => {
      event.preventDefault();
      void this.#makeHook();
    });
    byId("webhook-form", HTMLFormElement).addEventListener("submit", (event) => {
      event.preventDefault();
      void this.#addWebhook();
    });
    byId("hook-copy", HTMLButtonElement).addEventListener("click", () => copy(byId("hook-url", HTMLElement).textContent ?? "", "URL"));
    byId("webhook-copy", HTMLButtonElement).addEventListener("click", () => copy(byId("webhook-secret", HTMLElement).textContent ?? "", "secret"));
  }

  /** Shows the Integrations button only to an owner (call when the role or the key changes). */
  update(): void {
    this.#button.hidden = this.#credential() === undefined;
  }

  /** Opens the dialog on the room's current hooks and webhooks. */
  async open(): Promise<void> {
    this.#error.textContent = "";
    byId("hook-made", HTMLElement).hidden = true;
    byId("webhook-made", HTMLElement).hidden = true;
    this.#dialog.showModal();
    byId("hook-name", HTMLInputElement).focus();
    await this.#refresh();
  }

  #api(): Integrations | undefined {
    const credential = this.#credential();
    if (credential === undefined) {
      this.#error.textContent = "This browser holds no owner key for this room, and you are not signed in as its owner.";
      return undefined;
    }
    return new Integrations(location.origin, this.#room, credential);
  }

  async #refresh(): Promise<void> {
    const api = this.#api();
    if (!api) return;
    await this.#run(async () => {
      const [hooks, webhooks] = await Promise.all([api.hooks(), api.webhooks()]);
      byId("hook-list", HTMLUListElement).replaceChildren(
        ...hooks.map((hook) =>
          item(
            [el("strong", { attrs: { dir: "auto" } }, hook.name), el("span", { class: "integration-state" }, `made ${when.format(new Date(hook.createdAt))}`)],
            `Delete hook ${hook.name}`,
            () => this.#run(async () => api.deleteHook(hook.id)).then(() => this.#refresh()),
          ),
        ),
      );
      byId("webhook-list", HTMLUListElement).replaceChildren(
        ...webhooks.map((webhook) => {
          const state =
            webhook.failing === undefined
              ? el("span", { class: "integration-state" }, webhook.delivered === 0 ? "nothing delivered yet" : `delivered up to message #${webhook.delivered}`)
              : el("span", { class: "integration-state failing" }, `failing since ${when.format(new Date(webhook.failing))} (delivered up to #${webhook.delivered})`);
          return item(
            [el("code", {}, webhook.url), el("span", { class: "integration-state" }, webhook.events.join(", ")), state],
            `Delete webhook ${webhook.url}`,
            () => this.#run(async () => api.deleteWebhook(webhook.id)).then(() => this.#refresh()),
          );
        }),
      );
    }, false);
  }

  async #makeHook(): Promise<void> {
    const api = this.#api();
    const input = byId("hook-name", HTMLInputElement);
    if (!api) return;
    await this.#run(async () => {
      const hook = await api.createHook(input.value.trim() || "Integration");
      const url = new URL(hook.url, location.origin).toString();
      byId("hook-url", HTMLElement).textContent = url;
      byId("hook-curl", HTMLElement).textContent = `curl -X POST '${url}' -H 'content-type: application/json' -d '{"text": "Hello from ${hook.name.replaceAll("'", "")}"}'`;
      byId("hook-made", HTMLElement).hidden = false;
      input.value = "";
    });
    await this.#refresh();
  }

  async #addWebhook(): Promise<void> {
    const api = this.#api();
    const input = byId("webhook-url", HTMLInputElement);
    if (!api) return;
    const checked = new Set([...this.#dialog.querySelectorAll<HTMLInputElement>('input[name="webhook-event"]:checked')].map((box) => box.value));
    const events: WebhookEventKind[] = WEBHOOK_EVENTS.filter((kind) => checked.has(kind));
    if (events.length === 0) {
      this.#error.textContent = "Choose at least one kind of event.";
      return;
    }
    await this.#run(async () => {
      const webhook = await api.createWebhook(input.value.trim(), events);
      byId("webhook-secret", HTMLElement).textContent = webhook.secret;
      byId("webhook-made", HTMLElement).hidden = false;
      input.value = "";
    });
    await this.#refresh();
  }

  /** Runs one request; a refusal is shown in the dialog in words (a refresh keeps the last one shown). */
  async #run(work: () => Promise<unknown>, clear = true): Promise<void> {
    if (clear) this.#error.textContent = "";
    try {
      await work();
    } catch (err) {
      this.#error.textContent = explain(err);
    }
  }
}

function item(parts: HTMLElement[], deleteLabel: string, onDelete: () => void): HTMLLIElement {
  const remove = el("button", { class: "button small", attrs: { type: "button", "aria-label": deleteLabel } }, "Delete");
  remove.addEventListener("click", onDelete);
  return el("li", {}, ...parts, remove);
}

function explain(err: unknown): string {
  if (!(err instanceof IntegrationError)) return "The room could not be reached. Try again.";
  switch (err.code) {
    case "too_many":
      return "This room has as many of these as it may hold. Delete one first.";
    case "bad_body":
      return `That was not accepted: ${err.message}.`;
    case "unauthorized":
    case "forbidden":
      return "The room did not accept you as its owner (this browser's owner key, or your sign-in).";
    default:
      return err.message;
  }
}

function copy(text: string, what: string): void {
  navigator.clipboard.writeText(text).then(
    () => toast(`The ${what} is copied.`),
    () => toast(`Select the ${what} and copy it yourself.`),
  );
}
