"""The confirmation of a test failover's cleanup."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from horizon import forms, messages

from draas_dashboard.api import draas
from draas_dashboard.api.errors import DraasError
from draas_dashboard.api.records import Operation


class CleanupForm(forms.SelfHandlingForm):
    idempotency_key = forms.CharField(
        widget=forms.HiddenInput(),
        max_length=128,
        validators=[RegexValidator(r"^[A-Za-z0-9_.:-]+$")],
    )

    def __init__(self, request: Any, *args: Any, **kwargs: Any) -> None:
        self.test: Operation = kwargs.pop("test")
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("idempotency_key", f"horizon-{uuid.uuid4().hex}")
        super().__init__(request, *args, **kwargs)

    def handle(self, request: Any, data: dict[str, Any]) -> Any:
        try:
            operation = draas.start_cleanup(request, self.test.id, data["idempotency_key"])
        except DraasError as error:
            self.api_error(str(error))
            return False
        messages.success(
            request,
            _("Cleanup of test failover %(test)s started: operation %(id)s.")
            % {"test": self.test.id, "id": operation.id},
        )
        return operation
