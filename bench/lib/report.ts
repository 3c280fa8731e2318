// The results of a run and their rendering as BENCHMARKS.md.

export type Verdict = "met" | "missed" | "info" | "error";

export interface Row {
  scenario: string;
  what: string;
  figure: string;
  baseline: string;
  ratio: string;
  goal: string;
  verdict: Verdict;
}

export class Results {
  readonly rows: Row[] = [];
  readonly details = new Map<string, string[]>();

  row(row: Row): void {
    this.rows.push(row);
  }

  note(scenario: string, line: string): void {
    const lines = this.details.get(scenario) ?? [];
    lines.push(line);
    this.details.set(scenario, lines);
  }
}

export const fmt = (n: number, digits = 0) =>
  Number.isFinite(n) ? n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits }) : "n/a";
export const ms = (n: number) => `${fmt(n, n < 10 ? 1 : 0)} ms`;
export const mb = (bytes: number) => `${fmt(bytes / 1e6, 0)} MB`;
export const times = (n: number) => (Number.isFinite(n) ? `${fmt(n, n < 10 ? 2 : 1)}×` : "n/a");

export function verdict(ok: boolean): Verdict {
  return ok ? "met" : "missed";
}

const VERDICT_TEXT: Record<Verdict, string> = { met: "**met**", missed: "**missed**", info: "—", error: "**error**" };

export interface ReportMeta {
  date: string;
  command: string;
  totalSeconds: number;
  machine: string[];
  versions: string[];
  settings: string[];
  method: string[];
  /** Hand-written analysis of the misses (bench/FINDINGS.md), kept beside the generated numbers. */
  findings: string;
}

export function renderReport(results: Results, meta: ReportMeta): string {
  const out: string[] = [];
  out.push("# Benchmarks", "");
  out.push(
    `Written by \`${meta.command}\` on ${meta.date}; the run took ${fmt(meta.totalSeconds)} s. ` +
      "Every baseline was measured in the same run, on the same machine, right before or after its figure. " +
      "How to read this and how to run one scenario: [bench/README.md](bench/README.md).",
    "",
  );
  out.push("| # | What | Figure | Baseline (same run) | Ratio | Goal | Verdict |");
  out.push("|---|---|---|---|---|---|---|");
  for (const r of results.rows) {
    out.push(`| ${r.scenario} | ${r.what} | ${r.figure} | ${r.baseline} | ${r.ratio} | ${r.goal} | ${VERDICT_TEXT[r.verdict]} |`);
  }
  if (meta.findings.trim()) out.push("", meta.findings.trim());
  out.push("", "## Machine", "", ...meta.machine.map((l) => `- ${l}`));
  out.push("", "## Versions", "", ...meta.versions.map((l) => `- ${l}`));
  out.push("", "## Settings under test", "", ...meta.settings.map((l) => `- ${l}`));
  out.push("", "## Method", "", ...meta.method.map((l) => `- ${l}`));
  out.push("", "## Details per scenario", "");
  for (const [scenario, lines] of results.details) {
    out.push(`### ${scenario}`, "", ...lines, "");
  }
  return `${out.join("\n").trimEnd()}\n`;
}
