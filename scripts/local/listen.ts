import type { Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * Listens on 127.0.0.1 at `preferred` (a stable port keeps bookmarks and deployed URLs working),
 * or at any free port when that one is taken — another `npm start`, say. Answers the port used.
 */
export async function listenLocally(server: Server, preferred: number | undefined): Promise<number> {
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
  try {
    await listen(preferred ?? 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE" || !preferred) throw error;
    await listen(0);
  }
  return (server.address() as AddressInfo).port;
}
