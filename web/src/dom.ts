type Child = Node | string | number | null | undefined | false;

/**
 * Builds an element. Text goes in as text nodes, never as HTML, so values from the server
 * (task types, headlines, error messages) cannot inject markup.
 *
 * @example
 * h("td", { class: "status", "data-status": "completed" }, "completed")
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Readonly<Record<string, string | number | boolean | undefined>> = {},
  ...children: readonly (Child | readonly Child[])[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === "object" ? child : String(child));
  }
  return element;
}

/** Replaces a container's content with `children`. */
export function fill(container: Element, ...children: readonly (Node | string)[]): void {
  container.replaceChildren(...children);
}

/** "3 s", "4 min", "2 h": short enough for a table cell. */
export function formatAge(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return "–";
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3_600) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3_600)} h`;
}

/** The local time of an ISO instant, or the raw text when it is not one. */
export function formatTime(iso: string | undefined): string {
  if (!iso) return "–";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleTimeString();
}

/** An `<a>` only for http(s) links, so a `javascript:` URL in the data is shown as text. */
export function safeLink(url: string, text: string): HTMLElement {
  try {
    const parsed = new URL(url);
    if (parsed.protocol === "https:" || parsed.protocol === "http:") {
      return h("a", { href: parsed.href, target: "_blank", rel: "noopener noreferrer" }, text);
    }
  } catch {
    // not a URL
  }
  return h("span", {}, text);
}
