import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// In dev mode the app calls the API on its own origin, as it does when the server serves it; Vite
// forwards those paths to the reference server (default) or to the Prism mock (`pnpm mock`).
const api = process.env.SIMS_WEB_API ?? 'http://127.0.0.1:4010';

export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true },
  server: {
    proxy: {
      '/v2': { target: api, changeOrigin: true },
      '/openapi.json': { target: api, changeOrigin: true },
      '/docs': { target: api, changeOrigin: true },
    },
  },
});
