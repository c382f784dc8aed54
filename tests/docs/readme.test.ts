import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * The README stays short and stays true: at most 250 lines, a Layout line for every folder git tracks (so a folder
 * added later without one fails here), and every docs/ file linked from it. Folders are read from git at run time.
 */

const ROOT = path.resolve(__dirname, '../..');
const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const DOCS = path.join(ROOT, 'docs');

function trackedFiles(): string[] {
  return execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
    .split('\0')
    .filter(Boolean);
}

/** The first path segment of every tracked path that lies in a folder. */
function topLevelFolders(files: string[]): string[] {
  return [...new Set(files.filter((f) => f.includes('/')).map((f) => f.split('/')[0] ?? ''))].filter(Boolean).sort();
}

/** `<sub>` of every tracked `src/<sub>/…` path. */
function srcFolders(files: string[]): string[] {
  return [...new Set(files.map((f) => f.split('/')).filter((parts) => parts[0] === 'src' && parts.length > 2).map((parts) => parts[1] ?? ''))]
    .filter(Boolean)
    .sort();
}

/** The text of one `## ` section, up to the next `## ` heading. */
function section(markdown: string, heading: string): string {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => line.trim() === `## ${heading}`);
  if (start < 0) return '';
  const end = lines.findIndex((line, i) => i > start && /^## /.test(line));
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `name/` as a path of its own: not the tail of a longer path such as `src/name/`. */
function mentionsFolder(text: string, folder: string): boolean {
  return new RegExp(`(^|[^\\w./-])${escape(folder)}/`, 'm').test(text);
}

function docsLinks(markdown: string): string[] {
  return [...markdown.matchAll(/\]\((?:\.\/)?(docs\/[^)#\s]+\.md)(?:#[^)]*)?\)/g)].map((m) => m[1] ?? '');
}

test('README.md has at most 250 lines', () => {
  const lines = README.endsWith('\n') ? README.slice(0, -1).split('\n') : README.split('\n');
  expect(lines.length).toBeLessThanOrEqual(250);
});

describe('the Layout section', () => {
  const files = trackedFiles();
  const layout = section(README, 'Layout');

  test('exists', () => {
    expect(layout.trim()).not.toBe('');
  });

  test('lists every top-level folder git tracks', () => {
    const folders = topLevelFolders(files);
    expect(folders).toContain('src');
    expect(folders.filter((f) => !mentionsFolder(layout, f))).toEqual([]);
  });

  test('lists every src/ subfolder git tracks', () => {
    const subs = srcFolders(files);
    expect(subs.length).toBeGreaterThan(0);
    expect(subs.filter((s) => !mentionsFolder(layout, `src/${s}`))).toEqual([]);
  });

  test('states the floor rule', () => {
    expect(layout).toContain('Imports only point down a floor');
    expect(layout).toContain('`npm run lint` fails on an import that climbs');
  });
});

describe('links between README and docs/', () => {
  const links = docsLinks(README);

  test('every docs/*.md link in the README points to an existing file', () => {
    expect(links.length).toBeGreaterThan(0);
    expect(links.filter((link) => !existsSync(path.join(ROOT, link)))).toEqual([]);
  });

  test('every file in docs/ is linked from the README', () => {
    const inDocs = existsSync(DOCS) ? readdirSync(DOCS).filter((name) => statSync(path.join(DOCS, name)).isFile()) : [];
    expect(inDocs.length).toBeGreaterThan(0);
    const linked = new Set(links.map((link) => link.slice('docs/'.length)));
    expect(inDocs.filter((name) => !linked.has(name))).toEqual([]);
  });

  test('every ## section of the README and docs opens with a Chinese summary', () => {
    const documents = [['README.md', README] as const, ...links.filter((l, i) => links.indexOf(l) === i).map((l) => [l, readFileSync(path.join(ROOT, l), 'utf8')] as const)];
    const missing: string[] = [];
    for (const [name, text] of documents) {
      const lines = text.split('\n');
      let inFence = false;
      lines.forEach((line, i) => {
        if (line.startsWith('```')) inFence = !inFence;
        if (inFence || !/^## /.test(line)) return;
        const next = lines.slice(i + 1).find((l) => l.trim() !== '');
        if (!next?.startsWith('> 摘要:')) missing.push(`${name}: ${line}`);
      });
    }
    expect(missing).toEqual([]);
  });
});
