/*
 * Kubernetes resource quantities ("500m", "2", "15684Mi", "1.5Gi", "1e3") as numbers.
 */

const BINARY: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
const DECIMAL: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

/** A quantity's value in base units (cores, bytes, GPUs); throws on a malformed one. */
export function parseQuantity(quantity: string | number | undefined): number {
  if (quantity === undefined) return 0;
  if (typeof quantity === 'number') return quantity;
  const match = /^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)([a-zA-Z]*)$/.exec(
    quantity.trim(),
  );
  if (!match) throw new Error(`not a Kubernetes quantity: "${quantity}"`);
  const [, number, suffix] = match;
  const factor = BINARY[suffix] ?? DECIMAL[suffix];
  if (factor === undefined) {
    throw new Error(`unknown quantity suffix "${suffix}" in "${quantity}"`);
  }
  return Number(number) * factor;
}

/** CPU quantity in millicores (rounded). */
export const cpuMillis = (quantity: string | number | undefined) =>
  Math.round(parseQuantity(quantity) * 1000);

/** 1536 MiB → "1.5 GiB"; for display. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const text = value >= 10 || unit === 0 ? value.toFixed(0) : value.toFixed(1);
  return `${bytes < 0 ? '-' : ''}${text} ${units[unit]}`;
}

/** 3920 → "3.92", 250 → "0.25" (cores); for display. */
export function formatCpu(millis: number): string {
  return (millis / 1000).toFixed(millis % 1000 === 0 ? 0 : 2);
}
