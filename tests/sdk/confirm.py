"""The official Python SDK (mcp, pinned in requirements.txt) through the server's confirmation at
MCP 2026-07-28 (issue 25): it starts the binary with --sandbox over stdio, negotiates
2026-07-28, calls the reply tool, and answers the form the server asks with (an input_required
result, then the retry). A decline adds nothing to the conversation; an accept adds the reply
exactly once. Usage: confirm.py PATH_TO_BINARY. Exits non-zero on any failure.
"""

import sys
import uuid

import anyio
from mcp import Client, StdioServerParameters, types

CONVERSATION = "20415"
REVISION = "2026-07-28"


class Answers:
    """Answers each form as told, and keeps the questions."""

    def __init__(self) -> None:
        self.accept = False
        self.asked: list[str] = []

    async def __call__(self, context, params):
        self.asked.append(params.message)
        if self.accept:
            return types.ElicitResult(action="accept", content={"send": True})
        return types.ElicitResult(action="decline")


def text(result) -> str:
    return "\n".join(block.text for block in result.content if block.type == "text")


def check(condition: bool, what: str) -> None:
    if not condition:
        print(f"FAILED: {what}", file=sys.stderr)
        sys.exit(1)


async def conversation(client: Client) -> str:
    result = await client.call_tool("intercomGetConversation", {"conversation_id": CONVERSATION})
    check(not result.is_error, f"reading the conversation: {text(result)}")
    return text(result)


async def main(binary: str) -> None:
    answers = Answers()
    server = StdioServerParameters(command=binary, args=["--sandbox"])
    async with Client(server, mode=REVISION, elicitation_callback=answers) as client:
        check(client.protocol_version == REVISION, f"negotiated {client.protocol_version}")
        declined, accepted = (f"sdk-check {uuid.uuid4().hex}" for _ in range(2))
        reply = {"conversation_id": CONVERSATION, "message_type": "comment", "admin_id": "7300101"}

        result = await client.call_tool("intercomReplyConversation", {**reply, "body": declined})
        check(result.is_error and "Not sent" in text(result), f"a decline is refused: {text(result)}")
        check(len(answers.asked) == 1 and declined in answers.asked[0], f"asked once: {answers.asked}")
        check(declined not in await conversation(client), "a declined reply reached the conversation")

        answers.accept = True
        result = await client.call_tool("intercomReplyConversation", {**reply, "body": accepted})
        check(not result.is_error, f"an accepted reply is sent: {text(result)}")
        check("confirmed" in text(result), f"the result says it was confirmed: {text(result)}")
        check(len(answers.asked) == 2 and accepted in answers.asked[1], f"asked again: {answers.asked}")
        count = (await conversation(client)).count(accepted)
        check(count == 1, f"the accepted reply is in the conversation {count} times, not once")
    print("sdk confirm: ok (a decline sent nothing, an accept sent the reply once)")


if __name__ == "__main__":
    anyio.run(main, sys.argv[1])
