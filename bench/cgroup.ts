// A Lambda-sized box for one process: the CPU share and memory limit Lambda
// gives a function of a memory size, as a Linux cgroup. Lambda allocates CPU
// in proportion to memory, one full vCPU at 1,769 MB; the quota is that share
// of one CPU per scheduling period. Memory is a hard limit (the process is
// killed above it, as Lambda kills the environment), and Node's heap is
// sized the way the Lambda Node.js runtime sizes it.
//
// cgroup v2 (one unified hierarchy: `cpu.max`, `memory.max`) and v1 (the
// `cpu` and `memory` controllers mounted apart: `cpu.cfs_quota_us`,
// `memory.limit_in_bytes`) are both handled. Writing them needs root; when
// they cannot be written, `openCgroups` says why and the caller skips.
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = '/sys/fs/cgroup';
/** Lambda: 1,769 MB is the memory size with one full vCPU; below it the share is proportional. */
export const MB_PER_VCPU = 1_769;
const PERIOD_US = 100_000;

/**
 * The heap flags the Lambda Node.js runtime starts Node with, from the
 * function's memory size (its bootstrap script): a tenth of the memory is the
 * young generation (half of it per semi-space) and the rest is old space.
 */
export function lambdaNodeFlags(memoryMb: number): string[] {
  const newSpace = Math.floor(memoryMb / 10);
  return [`--max-semi-space-size=${Math.floor(newSpace / 2)}`, `--max-old-space-size=${memoryMb - newSpace}`];
}

export function cpuShare(memoryMb: number): number {
  return Math.min(1, memoryMb / MB_PER_VCPU);
}

export type CgroupVersion = 'v1' | 'v2';

export interface LambdaBox {
  memoryMb: number;
  /** The files a process writes its pid to, to enter the box (one per controller on v1). */
  procsFiles: string[];
  /** Peak memory charged to the box (v1 `memory.max_usage_in_bytes`, v2 `memory.peak`), MB; undefined when the kernel does not keep it. */
  peakMb(): number | undefined;
  /** How often the quota throttled the box so far. */
  throttledPeriods(): number;
  remove(): void;
}

export type CgroupSupport = { ok: true; version: CgroupVersion; create(name: string, memoryMb: number): LambdaBox } | { ok: false; reason: string };

function detect(): CgroupVersion | undefined {
  if (existsSync(path.join(ROOT, 'cgroup.controllers'))) return 'v2';
  if (existsSync(path.join(ROOT, 'cpu', 'cpu.cfs_quota_us')) && existsSync(path.join(ROOT, 'memory', 'memory.limit_in_bytes'))) return 'v1';
  return undefined;
}

export function openCgroups(): CgroupSupport {
  const version = detect();
  if (version === undefined) return { ok: false, reason: `no cgroup v2 hierarchy and no cgroup v1 cpu and memory controllers under ${ROOT}` };
  try {
    const probe = (version === 'v1' ? createV1 : createV2)(`switchyard-bench-probe-${process.pid}`, 128);
    probe.remove();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { ok: false, reason: `cgroups (${version}) are not writable here (${code ?? String(error)}): run the bench as root to get this table` };
  }
  return { ok: true, version, create: version === 'v1' ? createV1 : createV2 };
}

const quotaUs = (memoryMb: number): number => Math.max(1_000, Math.round(cpuShare(memoryMb) * PERIOD_US));
const bytes = (memoryMb: number): number => memoryMb * 1024 * 1024;
const readNumber = (file: string): number | undefined => {
  try {
    const text = readFileSync(file, 'utf8').trim();
    return text === 'max' ? undefined : Number(text);
  } catch {
    return undefined;
  }
};
const statField = (file: string, field: string): number => {
  try {
    return Number(new RegExp(`^${field} (\\d+)`, 'm').exec(readFileSync(file, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
};

function createV1(name: string, memoryMb: number): LambdaBox {
  const cpu = path.join(ROOT, 'cpu', name);
  const memory = path.join(ROOT, 'memory', name);
  mkdirSync(cpu, { recursive: true });
  mkdirSync(memory, { recursive: true });
  writeFileSync(path.join(cpu, 'cpu.cfs_period_us'), String(PERIOD_US));
  writeFileSync(path.join(cpu, 'cpu.cfs_quota_us'), String(quotaUs(memoryMb)));
  writeFileSync(path.join(memory, 'memory.limit_in_bytes'), String(bytes(memoryMb)));
  // No swap to spill into: above the limit the process dies, as on Lambda.
  try {
    writeFileSync(path.join(memory, 'memory.memsw.limit_in_bytes'), String(bytes(memoryMb)));
  } catch {
    // Kernels without swap accounting: there is no swap to limit.
  }
  return {
    memoryMb,
    procsFiles: [path.join(cpu, 'cgroup.procs'), path.join(memory, 'cgroup.procs')],
    peakMb: () => {
      const peak = readNumber(path.join(memory, 'memory.max_usage_in_bytes'));
      return peak === undefined ? undefined : peak / 1024 ** 2;
    },
    throttledPeriods: () => statField(path.join(cpu, 'cpu.stat'), 'nr_throttled'),
    remove() {
      for (const folder of [cpu, memory]) if (existsSync(folder)) rmdirSync(folder);
    },
  };
}

function createV2(name: string, memoryMb: number): LambdaBox {
  // The parent must hand the cpu and memory controllers down to its children.
  const control = path.join(ROOT, 'cgroup.subtree_control');
  const enabled = readFileSync(control, 'utf8');
  for (const controller of ['cpu', 'memory']) if (!enabled.split(/\s+/).includes(controller)) writeFileSync(control, `+${controller}`);
  const folder = path.join(ROOT, name);
  mkdirSync(folder, { recursive: true });
  writeFileSync(path.join(folder, 'cpu.max'), `${quotaUs(memoryMb)} ${PERIOD_US}`);
  writeFileSync(path.join(folder, 'memory.max'), String(bytes(memoryMb)));
  try {
    writeFileSync(path.join(folder, 'memory.swap.max'), '0');
  } catch {
    // No swap controller: no swap to limit.
  }
  return {
    memoryMb,
    procsFiles: [path.join(folder, 'cgroup.procs')],
    peakMb: () => {
      const peak = readNumber(path.join(folder, 'memory.peak'));
      return peak === undefined ? undefined : peak / 1024 ** 2;
    },
    throttledPeriods: () => statField(path.join(folder, 'cpu.stat'), 'nr_throttled'),
    remove() {
      if (existsSync(folder)) rmdirSync(folder);
    },
  };
}
