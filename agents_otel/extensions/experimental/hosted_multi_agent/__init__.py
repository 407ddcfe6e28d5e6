"""The SDK's ``agents.extensions.experimental.hosted_multi_agent``: the Responses API's hosted multi-agent beta as a
model (``OpenAIHostedMultiAgentModel``), with the hosted agent behind each item or tool call
(``get_hosted_agent_metadata``). Experimental, as in the SDK: the beta's items and this interface may change.

Needs websockets (``pip install 'agents_otel[websocket]'``): the model runs on the Responses websocket transport.
"""

from __future__ import annotations

from .items import HostedAgentCall, HostedAgentMetadata, HostedMultiAgentConfig, get_hosted_agent_metadata
from .model import OpenAIHostedMultiAgentModel

__all__ = [
    "HostedAgentCall",
    "HostedAgentMetadata",
    "HostedMultiAgentConfig",
    "OpenAIHostedMultiAgentModel",
    "get_hosted_agent_metadata",
]
