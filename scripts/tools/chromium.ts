import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { toolPath } from './tools-dir.js';

const run = promisify(execFile);

/**
 * A headless Chromium for the dashboard's browser test. In order: CHROMIUM_PATH; `chromium`,
 * `chromium-browser` or `google-chrome` on PATH; the cache `.tools/chromium/<version>/`; else, on
 * Debian or Ubuntu, Debian's `chromium` package and those of its libraries the machine lacks,
 * fetched with `apt-get download` (no root needed) and unpacked into the cache with `dpkg-deb`,
 * run through a wrapper that points the loader at them. Nothing is installed system-wide.
 */
export async function resolveChromium(opts: { progress: (m: string) => void }): Promise<string> {
  const explicit = process.env.CHROMIUM_PATH;
  if (explicit) {
    if (!existsSync(explicit)) throw new Error(`CHROMIUM_PATH=${explicit} does not exist`);
    return explicit;
  }
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    const found = await run('sh', ['-c', `command -v ${name}`]).then(
      (r) => r.stdout.trim(),
      () => '',
    );
    if (found) return found;
  }
  const cacheRoot = toolPath('chromium');
  const cached = existsSync(cacheRoot) ? (await readdir(cacheRoot)).sort().at(-1) : undefined;
  if (cached && existsSync(join(cacheRoot, cached, 'chromium'))) return join(cacheRoot, cached, 'chromium');
  return obtainFromDebian(cacheRoot, opts.progress);
}

const GLIBC = new Set(['libc6', 'libc-bin', 'libc-l10n', 'locales']);

async function candidate(): Promise<string | undefined> {
  const { stdout } = await run('apt-cache', ['policy', 'chromium']);
  const version = /Candidate:\s*(\S+)/.exec(stdout)?.[1];
  return version === '(none)' ? undefined : version;
}

async function obtainFromDebian(cacheRoot: string, progress: (m: string) => void): Promise<string> {
  const hasApt = await run('sh', ['-c', 'command -v apt-get && command -v dpkg-deb']).then(
    () => true,
    () => false,
  );
  if (!hasApt || process.arch !== 'x64')
    throw new Error('no Chromium: install chromium, or set CHROMIUM_PATH to a Chromium or Chrome executable');
  let version = await candidate();
  if (!version && process.getuid?.() === 0) {
    // A fresh image often ships without package lists; as root we may fetch them (a few MB).
    progress('apt has no package lists: running apt-get update…');
    await run('apt-get', ['update', '-qq'], { maxBuffer: 16 * 1024 * 1024 });
    version = await candidate();
  }
  if (!version)
    throw new Error(
      'apt knows no chromium package (as root, run apt-get update), or set CHROMIUM_PATH to a Chromium or Chrome',
    );
  // What the machine lacks of chromium's dependencies: apt's own answer, without installing anything.
  const { stdout: plan } = await run('apt-get', [
    'install',
    '--simulate',
    '--no-install-recommends',
    'chromium',
  ]);
  // glibc cannot come from the cache: its libc.so.6 must match the machine's own loader.
  const packages = plan
    .split('\n')
    .filter((l) => l.startsWith('Inst '))
    .map((l) => l.split(' ')[1]!)
    .filter((p) => !GLIBC.has(p));
  // A Chinese font, so pages (and screenshots) show 汉字 rather than empty boxes.
  packages.push('fonts-wqy-microhei');
  const dir = join(cacheRoot, version.replace(/[^A-Za-z0-9.+~-]/g, '_'));
  const debs = join(dir, 'debs');
  await rm(dir, { recursive: true, force: true });
  await mkdir(debs, { recursive: true });
  const started = Date.now();
  progress(
    `downloading Debian's chromium ${version} with the ${packages.length - 1} packages this machine lacks ` +
      `(≈130 MB, once) into ${dir}…`,
  );
  await run('apt-get', ['download', ...packages], { cwd: debs, maxBuffer: 16 * 1024 * 1024 });
  const root = join(dir, 'root');
  let bytes = 0;
  for (const deb of await readdir(debs)) {
    bytes += (await stat(join(debs, deb))).size;
    await run('dpkg-deb', ['-x', join(debs, deb), root]);
  }
  await rm(debs, { recursive: true, force: true });
  const libs = [
    'usr/lib/x86_64-linux-gnu',
    'lib/x86_64-linux-gnu',
    'usr/lib/x86_64-linux-gnu/pulseaudio',
    'usr/lib/chromium',
  ]
    .map((d) => join(root, d))
    .join(':');
  // Written under another name until Chromium has started once, so a failed attempt is never
  // mistaken for a cache.
  const wrapper = join(dir, 'chromium');
  const trial = `${wrapper}.trial`;
  const fonts = join(dir, 'fonts.conf');
  await writeFile(
    fonts,
    `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n` +
      `  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n` +
      `  <dir>${join(root, 'usr/share/fonts')}</dir>\n  <cachedir>${join(dir, 'fontcache')}</cachedir>\n</fontconfig>\n`,
  );
  await writeFile(
    trial,
    `#!/bin/sh\n# Debian's chromium ${version}, unpacked by scripts/tools/chromium.ts with the libraries this machine lacked.\n` +
      `export LD_LIBRARY_PATH="${libs}\${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"\n` +
      `export FONTCONFIG_FILE="${fonts}"\n` +
      `exec "${join(root, 'usr/lib/chromium/chromium')}" "$@"\n`,
  );
  await chmod(trial, 0o755);
  await run(trial, ['--headless', '--no-sandbox', '--disable-gpu', '--dump-dom', 'about:blank'], {
    timeout: 60_000,
  }).catch((err: Error & { stderr?: string }) => {
    throw new Error(
      `the Chromium unpacked in ${dir} does not start: ${err.stderr?.slice(-600) ?? err.message}`,
    );
  });
  await rename(trial, wrapper);
  const seconds = Math.round((Date.now() - started) / 1000);
  progress(`Chromium ready in ${seconds} s (${Math.round(bytes / 1e6)} MB downloaded): ${wrapper}`);
  return wrapper;
}
