import type { ConnectionStatus } from "../live-connection";

const LABELS: Readonly<Record<ConnectionStatus, string>> = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
  stopped: "Offline",
};

/** The connection indicator: its `data-state` is what tests and styles key on. */
export function renderConnection(indicator: HTMLElement, status: ConnectionStatus, detail: string): void {
  indicator.dataset.state = status;
  indicator.textContent = LABELS[status];
  indicator.title = detail;
}
