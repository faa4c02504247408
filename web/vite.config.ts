import { resolve } from "node:path";
import { defineConfig } from "vite";

// Two apps, one project: the console (investigators, auditors, supervisors, watchlist managers)
// and the patrol PWA. Everything is bundled; nothing is fetched from a CDN at run time.
export default defineConfig({
  base: "/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    rollupOptions: {
      input: {
        index: resolve(__dirname, "index.html"),
        console: resolve(__dirname, "console/index.html"),
        patrol: resolve(__dirname, "patrol/index.html"),
      },
    },
  },
  test: { environment: "node", include: ["src/**/*.test.ts"] },
} as never);
