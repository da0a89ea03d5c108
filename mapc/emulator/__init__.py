"""A local emulator of the Salesforce REST and HubSpot CRM APIs for tests and demos."""

from mapc.emulator.faults import FaultRule
from mapc.emulator.server import Emulator, start_emulator

__all__ = ["Emulator", "FaultRule", "start_emulator"]
