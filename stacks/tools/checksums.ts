/**
 * Reading a publisher's checksum file and deciding which digest a download must have.
 *
 * Two formats are published: `sha256sum` output (`<hex>  <file>` per line, `*<file>` in binary
 * mode; Pulumi, kind, goreleaser) and a bare digest alone in the file (dl.k8s.io's `kubectl.sha256`,
 * minikube's `.sha256`).
 */

/** The digest for `asset` in a checksum file's text, or undefined when it lists none. */
export function digestFromChecksumFile(text: string, asset: string): string | undefined {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "");
  if (lines.length === 1 && /^[0-9a-fA-F]{64}$/.test(lines[0] as string)) return (lines[0] as string).toLowerCase();
  for (const line of lines) {
    const m = /^([0-9a-fA-F]{64})\s+\*?(.+)$/.exec(line);
    if (!m) continue;
    const name = (m[2] as string).trim().replace(/^\.\//, "");
    if (name === asset || name.endsWith(`/${asset}`)) return (m[1] as string).toLowerCase();
  }
  return undefined;
}

export interface ExpectedDigest {
  sha256: string;
  /** What vouches for it, in words for the receipt and the output. */
  checkedAgainst: string[];
}

/**
 * The digest a download must have: the pinned one wins, the publisher's must agree with it, and
 * one of the two must exist. Returns an error sentence instead when they disagree or both are absent.
 */
export function expectedDigest(opts: {
  pinned?: { sha256: string; source: string };
  publisher?: { sha256: string; url: string };
  /** Why the publisher's digest is missing (the checksum file's error), for the message. */
  publisherProblem?: string;
}): ExpectedDigest | { error: string } {
  const { pinned, publisher } = opts;
  if (pinned && publisher && pinned.sha256 !== publisher.sha256) {
    return {
      error:
        `the pinned SHA-256 ${pinned.sha256} (profiles/tool-digests.yaml) and the publisher's ${publisher.sha256} ` +
        `(${publisher.url}) disagree`,
    };
  }
  if (pinned && publisher) {
    return { sha256: pinned.sha256, checkedAgainst: ["pinned digest", `publisher checksums ${publisher.url}`] };
  }
  if (pinned)
    return {
      sha256: pinned.sha256,
      checkedAgainst: [`pinned digest (publisher checksums: ${opts.publisherProblem ?? "none"})`],
    };
  if (publisher) return { sha256: publisher.sha256, checkedAgainst: [`publisher checksums ${publisher.url}`] };
  return { error: `no digest to check it against: ${opts.publisherProblem ?? "no checksum file"}, and none is pinned` };
}
