#!/usr/bin/env bash
# Prints the publishers' SHA-256 digests of the tool downloads cto installs, for the versions the
# newest platform release pins (profiles/versions.yaml `tools:`), per platform, from each release's
# own checksum file. Needs network; CI never runs it.
#
# It prints, it does not write: a digest belongs in profiles/tool-digests.yaml only with a source
# other than the file it is checked against (a second, independent publication of it), so compare
# the output with such a source and copy what agrees, writing that source next to it.
#
# Usage: bash scripts/refresh-tool-digests.sh        (after npm run build)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
[[ -f dist/stacks/tools/catalog.js ]] || {
  echo "run npm run build first" >&2
  exit 2
}
node --input-type=module - <<'EOF'
import { loadCatalog } from "./dist/profiles/load.js";
import { toolVersions } from "./dist/profiles/tools.js";
import { TOOLS, toolUrls } from "./dist/stacks/tools/catalog.js";
import { digestFromChecksumFile } from "./dist/stacks/tools/checksums.js";

const catalog = await loadCatalog();
const versions = toolVersions(catalog, catalog.latestRelease);
const platforms = [
  { os: "linux", arch: "amd64" },
  { os: "linux", arch: "arm64" },
  { os: "darwin", arch: "amd64" },
  { os: "darwin", arch: "arm64" },
];
console.log(`# publishers' digests for release ${catalog.latestRelease}, fetched ${new Date().toISOString()}`);
for (const [tool, spec] of Object.entries(TOOLS)) {
  const version = versions[tool];
  console.log(`${tool}:\n  "${version}":`);
  for (const p of platforms) {
    const { asset, checksumUrl } = toolUrls(spec, version, p, {});
    let line;
    try {
      const res = await fetch(checksumUrl, { redirect: "follow", signal: AbortSignal.timeout(30_000) });
      const digest = res.ok ? digestFromChecksumFile(await res.text(), asset) : undefined;
      line = digest ? `sha256: ${digest}   # ${checksumUrl}` : `# none: ${checksumUrl} → HTTP ${res.status}`;
    } catch (err) {
      line = `# none: ${checksumUrl} → ${err.cause?.code ?? err.message}`;
    }
    console.log(`    ${p.os}-${p.arch}: ${line}`);
  }
}
EOF
