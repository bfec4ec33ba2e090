// Exact decimal arithmetic for prices. Money never passes through a float
// (DESIGN decision 2): catalog prices are decimal strings, compared and added
// as scaled bigints.

interface Scaled {
  units: bigint;
  scale: number;
}

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

function parse(value: string): Scaled {
  const match = DECIMAL.exec(value);
  if (match === null) throw new RangeError(`not a non-negative decimal: ${value}`);
  const fraction = match[2] ?? '';
  return { units: BigInt(`${match[1] ?? '0'}${fraction}`), scale: fraction.length };
}

function rescale(value: Scaled, scale: number): bigint {
  return value.units * 10n ** BigInt(scale - value.scale);
}

/** -1, 0 or 1 as `a` is below, equal to or above `b`. */
export function compareDecimal(a: string, b: string): -1 | 0 | 1 {
  const left = parse(a);
  const right = parse(b);
  const scale = Math.max(left.scale, right.scale);
  const difference = rescale(left, scale) - rescale(right, scale);
  return difference < 0n ? -1 : difference > 0n ? 1 : 0;
}

export function addDecimal(a: string, b: string): string {
  const left = parse(a);
  const right = parse(b);
  const scale = Math.max(left.scale, right.scale);
  const digits = (rescale(left, scale) + rescale(right, scale)).toString().padStart(scale + 1, '0');
  if (scale === 0) return digits;
  const fraction = digits.slice(-scale).replace(/0+$/, '');
  const whole = digits.slice(0, -scale);
  return fraction === '' ? whole : `${whole}.${fraction}`;
}

/**
 * A caller's price limit as a decimal string. Numbers are read by their
 * shortest round-trip spelling (`0.1` stays "0.1"), so the limit the caller
 * wrote is the limit compared; exponent forms are expanded.
 */
export function decimalFromLimit(value: number | string): string {
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`not a non-negative finite number: ${value}`);
  const text = String(value);
  const exponent = /^(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (exponent === null) return text;
  const digits = `${exponent[1] ?? ''}${exponent[2] ?? ''}`;
  const point = (exponent[1] ?? '').length + Number(exponent[3]);
  if (point <= 0) return `0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return digits + '0'.repeat(point - digits.length);
  return `${digits.slice(0, point)}.${digits.slice(point)}`;
}
