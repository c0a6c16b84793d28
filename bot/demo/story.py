"""The seed story (DESIGN.md), played by the people of config/governance.example.yml.

1. the lead data scientist creates customer-churn-v1 (Draft, shared with dev);
2. a data scientist submits it too early and the gate names the missing fields; they fill
   the card in the modal and submit it (PendingReview, shared with test, approval request
   with Approve / Reject);
3. an ML engineer and the data scientist click Approve and are refused; the review waits and
   the approvers are reminded in the request's thread;
4. an approver approves (Approved, shared read-only with prod, the request loses its buttons);
5. the approver asks what changed between versions 1 and 2 (`diff`), then exports the card as
   a PDF (`export`: a presigned S3 link, privately and once in the prod channel);
6. an admin reads `history` and `shares`;
7. epilogue: on a second card, the submitter who also approves meets four-eyes, and an
   approver rejects it with a reason (back to Draft);
8. epilogue: a data scientist sets a third card to Approved with boto3, outside Slack; the
   worker judges it an out-of-band approval, reverts it and says so in the approvals channel.
The first failed check stops the story.
"""

from __future__ import annotations

from typing import Any

from bot.demo.driver import GENERAL, Step
from bot.demo.events import forward_events
from bot.demo.export_step import VersionsAndExport
from bot.demo.render import buttons, message_text
from bot.demo.stack import DemoError
from bot.domain.status import CardStatus
from bot.slack.ids import APPROVE_ACTION, EDIT_VIEW, REJECT_ACTION, REJECT_VIEW

CARD = "customer-churn-v1"
SECOND_CARD = "fraud-score-v2"
OUTSIDE_CARD = "churn-challenger-v1"
EDITS = {  # what the data scientist types into the edit modal
    "overview": "Predicts which customers are likely to cancel in the next 30 days.",
    "intended_uses": "Monthly churn scores for the retention team's outreach campaigns.",
    "risk_rating": "Medium",
    "risk_explanation": "Scores steer who is contacted, never pricing or eligibility.",
}
REJECT_REASON = "Add evaluation results on the Q3 holdout before review."


class Story(VersionsAndExport):
    """The acts of the story; each step is checked against AWS and Slack as it goes."""

    # ------------------------------------------------------------------ checks
    def shares(self, step: Step) -> list[tuple[str, str, str]]:
        return [(s["stage"], s["account"], s["access"]) for s in step.aws_state["shares"]]

    def expected_shares(self, *stages: str) -> list[tuple[str, str, str]]:
        return [(s, self.gov.stages[s].account, str(self.gov.stages[s].access)) for s in stages]

    def visible(self, step: Step) -> bool:
        """Every account the card is shared with accepted and can describe it."""
        return all(
            s["can_describe"] and s["account_association"] == "ASSOCIATED"
            for s in step.aws_state["shares"]
        )

    def status_is(self, step: Step, status: str) -> tuple[str, bool]:
        return f"AWS: {step.card} is {status}", step.aws_state.get("status") == status

    def shared_with(self, step: Step, *stages: str) -> tuple[str, bool]:
        expected = self.expected_shares(*stages)
        text = ", ".join(f"{s} {a} {x}" for s, a, x in expected)
        return f"AWS: shared with {text}", self.shares(step) == expected and self.visible(step)

    def approval_message(self, card: str) -> dict[str, Any]:
        """The approval request for `card` as it is in the channel now (to click on)."""
        found: list[dict[str, Any]] = [
            m for m in self.fake.messages(self.gov.approvals_channel) if card in message_text(m)
        ]
        if not found:
            raise DemoError(f"no approval request for {card} in the approvals channel")
        return found[-1]

    # ------------------------------------------------------------------ the story
    def play(self) -> None:
        self.create_card()
        self.fill_and_submit()
        self.refused_approvals()
        self.reminded()
        self.approve()
        self.diff_and_export()
        self.audit()
        self.reject_second_card()
        self.outside_approval()

    def create(self, act: str, card: str, owner: str, problem_type: str, extra: str = "") -> Step:
        """The lead data scientist types `/modelcard create` with the card's two required fields."""
        text = f'create {card} --owner {owner} --problem-type "{problem_type}" {extra}'.strip()
        return self.command(act, "U0LEAD", text, card)

    def create_card(self) -> None:
        act = "1. The lead data scientist creates the card"
        dev = self.gov.stages["dev"]
        step = self.create(act, CARD, "model-owner", "Customer Churn Model")
        self.verify(
            step,
            [
                ("the ack says the card is being created", step.said("Creating", via="ack")),
                self.status_is(step, "Draft"),
                self.shared_with(step, "dev"),
                (f"{self.channel(dev.channel)} got the news", step.posted(dev.channel, CARD)),
                ("the lead heard back from the worker", step.said("Created model card", CARD)),
            ],
        )

    def fill_and_submit(self) -> None:
        act = "2. A data scientist fills the card in a modal and submits it"
        test = self.gov.stages["test"]
        step = self.command(act, "U0DS", f"submit {CARD}", CARD)
        missing = self.gov.required_fields(CardStatus.PENDING_REVIEW)
        self.verify(
            step,
            [
                (
                    "the gate refuses it, naming every missing field and where to fill it",
                    step.said("cannot be submitted", *missing, f"/modelcard edit {CARD}"),
                ),
                self.status_is(step, "Draft"),
                ("nothing was posted", not step.posts),
            ],
        )
        step = self.command(act, "U0DS", f"edit {CARD}", CARD)
        views = self.fake.views(EDIT_VIEW)
        self.verify(
            step,
            [
                ("the edit modal opened", views),
                ("it is pre-filled from the card", step.said("model-owner", via="views.open")),
            ],
        )
        step = self.submit_modal(act, "U0DS", views[-1], EDITS, CARD)
        self.verify(
            step,
            [
                ("the modal was accepted", not step.said("form errors")),
                ("the worker saved version 2", step.said("Saved model card", "version 2")),
                ("AWS: 2 versions", step.aws_state.get("versions") == 2),
                self.status_is(step, "Draft"),
            ],
        )
        step = self.command(act, "U0DS", f"submit {CARD}", CARD)
        approval = step.posted(self.gov.approvals_channel, CARD)
        self.verify(
            step,
            [
                self.status_is(step, "PendingReview"),
                self.shared_with(step, "dev", "test"),
                (f"{self.channel(test.channel)} got the news", step.posted(test.channel, CARD)),
                (
                    "an approval request with [Approve] [Reject]",
                    approval and approval["buttons"] == ["Approve", "Reject"],
                ),
            ],
        )

    def refused_approvals(self) -> None:
        act = "3. People who may not approve try anyway"
        for user in ("U0MLE", "U0DS"):
            message = self.approval_message(CARD)
            step = self.click(act, user, APPROVE_ACTION, message, CARD)
            step.expect_refusal = True
            self.verify(
                step,
                [
                    (f"{user} was told no", step.said("cannot approve", CARD)),
                    self.status_is(step, "PendingReview"),
                    self.shared_with(step, "dev", "test"),
                    ("nothing was posted", not step.posts),
                ],
            )

    def reminded(self) -> None:
        act = "3. The review waits: the approvers are reminded"
        request = self.approval_message(CARD)
        after = self.gov.review.remind_after or ""

        def wait_then_look() -> Any:
            self.stack.wait(
                lambda: self.fake.replies(self.gov.approvals_channel, request["ts"]),
                f"the reminder after {after}",
                30,
            )
            return self.slack.command(f"show {CARD}", "U0APPR", GENERAL)

        step = self._interact(
            act, "U0APPR", f"waits {after}, then /modelcard show {CARD}", CARD, wait_then_look
        )
        reminder = step.posted(self.gov.approvals_channel, "Reminder", CARD)
        self.verify(
            step,
            [
                ("a reminder in the request's thread names the card and its version", reminder),
                (
                    "it mentions who may approve, never the card's authors",
                    reminder
                    and "@U0APPR" in reminder["text"]
                    and "@U0DS" not in reminder["text"].replace("@U0DSAP", ""),
                ),
                self.status_is(step, "PendingReview"),
            ],
        )

    def approve(self) -> None:
        act = "4. An approver approves"
        prod = self.gov.stages["prod"]
        message = self.approval_message(CARD)
        step = self.click(act, "U0APPR", APPROVE_ACTION, message, CARD)
        updated = step.posted(self.gov.approvals_channel, CARD, action="updated")
        self.verify(
            step,
            [
                self.status_is(step, "Approved"),
                self.shared_with(step, "dev", "test", "prod"),
                (f"{self.channel(prod.channel)} got the news", step.posted(prod.channel, CARD)),
                (
                    "the approval request now says who approved which version, with no buttons",
                    updated
                    and not updated["buttons"]
                    and f"Approved v{step.aws_state.get('version')} by @U0APPR" in updated["text"],
                ),
            ],
        )

    def diff_and_export(self) -> None:
        act = "5. The approver compares the versions and exports the PDF"
        self.compare_versions(act, "U0APPR", CARD, editor="U0DS")
        self.export_pdf(act, "U0APPR", CARD)

    def audit(self) -> None:
        act = "6. An admin looks at the record"
        step = self.command(act, "U0ADMIN", f"history {CARD}", CARD)
        self.verify(
            step,
            [
                ("the ack lists the versions", step.said("v1", "v2", via="ack")),
                ("and the audit trail", step.said("approve", "@U0APPR", via="ack")),
            ],
        )
        step = self.command(act, "U0ADMIN", f"shares {CARD}", CARD)
        accounts = [self.gov.stages[s].account for s in ("dev", "test", "prod")]
        self.verify(step, [("the ack lists the three accounts", step.said(*accounts, via="ack"))])

    def reject_second_card(self) -> None:
        act = "7. Epilogue: four-eyes and Reject, on a second card"
        dev = self.gov.stages["dev"]
        step = self.create(
            act,
            SECOND_CARD,
            "risk-team",
            "Fraud detection",
            '--description "Flags card fraud" --risk High',
        )
        self.verify(step, [self.status_is(step, "Draft"), self.shared_with(step, "dev")])
        step = self.command(act, "U0DSAP", f"submit {SECOND_CARD}", SECOND_CARD)
        request = step.posted(self.gov.approvals_channel, SECOND_CARD)
        self.verify(
            step,
            [
                self.status_is(step, "PendingReview"),
                ("an approval request", request and request["buttons"] == ["Approve", "Reject"]),
            ],
        )
        message = self.approval_message(SECOND_CARD)
        step = self.click(act, "U0DSAP", APPROVE_ACTION, message, SECOND_CARD)
        step.expect_refusal = True
        self.verify(
            step,
            [
                ("four-eyes: the submitter may not approve", step.said("four-eyes")),
                self.status_is(step, "PendingReview"),
            ],
        )
        step = self.click(act, "U0APPR", REJECT_ACTION, message, SECOND_CARD)
        views = self.fake.views(REJECT_VIEW)
        self.verify(step, [("a modal asks why", views)])
        step = self.submit_modal(act, "U0APPR", views[-1], {"reason": REJECT_REASON}, SECOND_CARD)
        updated = step.posted(self.gov.approvals_channel, SECOND_CARD, action="updated")
        self.verify(
            step,
            [
                self.status_is(step, "Draft"),
                (
                    f"{self.channel(dev.channel)} got the news, with the reason",
                    step.posted(dev.channel, SECOND_CARD, REJECT_REASON),
                ),
                (
                    "the approval request says who rejected, with no buttons",
                    updated and not updated["buttons"] and "Rejected" in updated["text"],
                ),
            ],
        )

    def outside_approval(self) -> None:
        act = "8. Epilogue: an approval made outside Slack is reverted"
        approvals, prod = self.gov.approvals_channel, self.gov.stages["prod"]
        step = self.command(
            act,
            "U0LEAD",
            f'create {OUTSIDE_CARD} --owner retention-team --problem-type "Customer churn" '
            '--description "Challenger model for the churn scores" --risk Medium',
            OUTSIDE_CARD,
        )
        self.verify(step, [self.status_is(step, "Draft")])
        step = self.command(act, "U0DS", f"submit {OUTSIDE_CARD}", OUTSIDE_CARD)
        self.verify(step, [self.status_is(step, "PendingReview")])

        def approve_with_boto3() -> None:
            role = self.gov.roles["data-scientist"].role_arn
            sagemaker = self.observer.client_as(role, "U0DS", "sagemaker")
            sagemaker.update_model_card(ModelCardName=OUTSIDE_CARD, ModelCardStatus="Approved")
            forward_events(self.stack, OUTSIDE_CARD)

        def judged() -> bool:
            alerts = [m for m in self.fake.messages(approvals) if "Out-of-band" in str(m)]
            status = self.observer.card_state(OUTSIDE_CARD).get("status")
            return bool(alerts) and status == "PendingReview"

        step = self.outside(
            act,
            "U0DS",
            f"sets {OUTSIDE_CARD} to Approved with boto3 as their own role (mc-ds), outside Slack",
            OUTSIDE_CARD,
            approve_with_boto3,
            judged,
            "the out-of-band approval to be judged",
        )
        alert = step.posted(approvals, OUTSIDE_CARD, "Out-of-band", "reverted")
        self.verify(
            step,
            [
                self.status_is(step, "PendingReview"),
                self.shared_with(step, "dev", "test"),
                (
                    "one alert in the approvals channel: who did it, and that it was reverted",
                    alert and "U0DS" in alert["text"] and "mc-ds" in alert["text"],
                ),
                (f"nothing in {self.channel(prod.channel)}", not step.posted(prod.channel)),
            ],
        )

    # ------------------------------------------------------------------ the end state
    def final_state(self) -> dict[str, Any]:
        cards = [self.observer.card_state(card) for card in (CARD, SECOND_CARD)]
        approvals = [
            {
                "text": message_text(m),
                "buttons": buttons(m.get("blocks") or []),
                "card": next(
                    (c for c in (CARD, SECOND_CARD, OUTSIDE_CARD) if c in message_text(m)), ""
                ),
            }
            for m in self.fake.messages(self.gov.approvals_channel)
        ]
        posts: dict[str, int] = {}
        for call in self.fake.calls_to("chat.postMessage"):
            if call.ok:
                name = self.channel(call.response["channel"])
                posts[name] = posts.get(name, 0) + 1
        private = [
            c
            for c in self.fake.snapshot()
            if c.ok and c.method in ("response_url", "chat.postEphemeral")
        ]
        return {
            "cards": cards,
            "approval_messages": approvals,
            "slack": {
                "channel_posts": sum(posts.values()),
                "posts_by_channel": posts,
                "messages_updated": len([c for c in self.fake.calls_to("chat.update") if c.ok]),
                "private_answers": len(private),
                "modals_opened": len([c for c in self.fake.calls_to("views.open") if c.ok]),
            },
        }
