import { readdirSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

/** Every function file under `api/`, with the route Vercel serves it at (`/api/google/start`). */
export function apiFiles(folder = join(ROOT, 'api')): { file: string; route: string }[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const file = join(folder, entry.name);
    if (entry.isDirectory()) return apiFiles(file);
    if (!entry.name.endsWith('.ts') || entry.name.endsWith('.d.ts')) return [];
    return [{ file, route: '/' + relative(ROOT, file).split(sep).join('/').replace(/\.ts$/, '') }];
  });
}
