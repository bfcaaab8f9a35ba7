import { defineConfig } from 'vite';

/**
 * The dashboard's bundle. `npm run build` runs Vite from this folder with `--outDir` inside the
 * new build; `npx vite` here serves it for development, proxying the API to a local Mentor.
 * JSX is compiled by Vite's own transformer (automatic runtime): no Babel, no React plugin.
 */
const MENTOR = 'http://127.0.0.1:8080';
const API_PATHS = ['/auth', '/devices', '/fleet', '/users', '/forwarding', '/events', '/sync'];

export default defineConfig({
  base: '/',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    assetsDir: 'assets',
    sourcemap: false,
    chunkSizeWarningLimit: 400,
  },
  server: {
    proxy: Object.fromEntries(
      API_PATHS.map((path) => [
        path,
        {
          target: MENTOR,
          // Browser navigations stay with the dev server (the app's own routes).
          bypass: (req: { headers: Record<string, string | string[] | undefined> }) =>
            String(req.headers.accept ?? '').includes('text/html') ? '/index.html' : undefined,
        },
      ]),
    ),
  },
});
