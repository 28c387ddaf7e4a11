/** The browser's network and visibility events as the client package's network signals. */
import type { NetworkSignals } from "@edge-chat/client";

/** `online`/`offline` from the window, `visible` when the tab is shown again. */
export function browserSignals(): NetworkSignals {
  return {
    online: () => navigator.onLine,
    subscribe(listener) {
      const online = () => listener("online");
      const offline = () => listener("offline");
      const visible = () => {
        if (!document.hidden) listener("visible");
      };
      window.addEventListener("online", online);
      window.addEventListener("offline", offline);
      document.addEventListener("visibilitychange", visible);
      return () => {
        window.removeEventListener("online", online);
        window.removeEventListener("offline", offline);
        document.removeEventListener("visibilitychange", visible);
      };
    },
  };
}
