/**
 * Kubernetes resource quantities as numbers: CPU in cores, memory in bytes; and back to the
 * short human forms used in reports ("3.5 CPU", "6 GiB").
 */

const MEMORY_SUFFIX: Record<string, number> = {
  "": 1,
  k: 1e3,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

export const GiB = 2 ** 30;

/** "500m" → 0.5, "2" → 2, 1.5 → 1.5. Throws on anything else. */
export function parseCpu(q: string | number): number {
  if (typeof q === "number") return q;
  const m = /^([0-9]+(?:\.[0-9]+)?)(m|u|n)?$/.exec(q.trim());
  if (!m?.[1]) throw new Error(`not a CPU quantity: "${q}"`);
  const n = Number(m[1]);
  const unit = m[2];
  return unit === "m" ? n / 1e3 : unit === "u" ? n / 1e6 : unit === "n" ? n / 1e9 : n;
}

/** "512Mi" → 536870912, "1G" → 1e9, "1e3" → 1000. Throws on anything else. */
export function parseMemory(q: string | number): number {
  if (typeof q === "number") return q;
  const s = q.trim();
  const exp = /^([0-9]+(?:\.[0-9]+)?)[eE]([0-9]+)$/.exec(s);
  if (exp?.[1] && exp[2]) return Number(exp[1]) * 10 ** Number(exp[2]);
  const m = /^([0-9]+(?:\.[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|Ei|k|K|M|G|T|P|E|m)?$/.exec(s);
  if (!m?.[1]) throw new Error(`not a memory quantity: "${q}"`);
  const unit = m[2] ?? "";
  // "m" (milli-bytes) is legal Kubernetes and appears in some node statuses.
  return unit === "m" ? Number(m[1]) / 1000 : Number(m[1]) * (MEMORY_SUFFIX[unit] ?? 1);
}

/** Rounds up to one decimal, without a trailing ".0": 3.44 → "3.5", 2 → "2". */
export function roundUp1(n: number): string {
  const r = Math.ceil(n * 10 - 1e-9) / 10;
  return Number.isInteger(r) ? String(r) : r.toFixed(1);
}

/** Cores as "3.5 CPU". */
export function formatCpu(cores: number): string {
  return `${roundUp1(cores)} CPU`;
}

/** Bytes as GiB with one decimal, rounded up: "6 GiB", "0.5 GiB". */
export function formatGiB(bytes: number): string {
  return `${roundUp1(bytes / GiB)} GiB`;
}
