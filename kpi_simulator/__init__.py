"""The portal simulator: a synthetic Quảng Nam served over HTTP exactly as portal-api.md says.

`World` is the deterministic truth (units, procedures, holidays, dossiers, the national side);
`SimulatorServer` serves it over HTTP with OAuth and optional faults (`FaultConfig`).
"""

from kpi_simulator.config import FaultConfig, SimulatorConfig
from kpi_simulator.server import SimulatorServer
from kpi_simulator.world import World

__all__ = ["FaultConfig", "SimulatorConfig", "SimulatorServer", "World"]
