import { fill, formatTime, h } from "../dom";
import type { DashboardState } from "../state";

/** Locks held now (resource, mode, holder, token), then the recent conflicts and who proceeded. */
export function renderCoordination(container: Element, state: DashboardState): void {
  const locks = Object.values(state.locks).sort((a, b) => a.resource.localeCompare(b.resource) || a.token - b.token);
  fill(
    container,
    h("h3", {}, "Locks held"),
    locks.length === 0
      ? h("p", { class: "empty" }, "No lock is held.")
      : h(
          "table",
          { class: "locks" },
          h("thead", {}, h("tr", {}, h("th", {}, "resource"), h("th", {}, "mode"), h("th", {}, "holder"), h("th", {}, "token"))),
          h(
            "tbody",
            {},
            locks.map((lock) =>
              h(
                "tr",
                { "data-lease-id": lock.leaseId, "data-resource": lock.resource },
                h("td", {}, lock.resource),
                h("td", { "data-mode": lock.mode }, lock.mode),
                h("td", {}, lock.holder),
                h("td", { title: lock.expiresAt ? `until ${formatTime(lock.expiresAt)}` : undefined }, lock.token),
              ),
            ),
          ),
        ),
    h("h3", {}, "Recent conflicts"),
    state.conflicts.length === 0
      ? h("p", { class: "empty" }, "No conflicts.")
      : h(
          "ul",
          { class: "feed conflicts" },
          state.conflicts.map((event) =>
            h(
              "li",
              { "data-event-id": event.eventId },
              h("strong", {}, (event.conflict?.resources ?? [event.resource ?? ""]).join(", ")),
              h(
                "p",
                {},
                `${event.conflict?.claims.map((c) => c.claimant).join(" vs ") ?? ""}: ${
                  event.conflict?.claims.find((c) => c.claimId === event.conflict?.winner)?.claimant ??
                  event.conflict?.winner ??
                  "?"
                } proceeds (by ${event.conflict?.decidedBy ?? "policy"})`,
              ),
              h("small", {}, formatTime(event.at)),
            ),
          ),
        ),
  );
}
