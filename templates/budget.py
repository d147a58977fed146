"""The monthly cost budget of one environment, with e-mail alerts.

Filtered on the Environment and Project tags, which `tags.py` puts on every resource; both
must be activated as cost allocation tags in the Billing console (docs/deployment.md), or the
budget counts nothing. Alerts: actual spend past 80%, forecast past 100%.
"""

from __future__ import annotations

from troposphere import Join, Ref, Template, budgets

from templates.parameters import MainParameters
from templates.tags import Naming

ACTUAL_PERCENT = 80
FORECAST_PERCENT = 100


def _alert(kind: str, percent: int, email: object) -> budgets.NotificationWithSubscribers:
    return budgets.NotificationWithSubscribers(
        Notification=budgets.Notification(NotificationType=kind, ComparisonOperator="GREATER_THAN",
                                           Threshold=percent, ThresholdType="PERCENTAGE"),
        Subscribers=[budgets.Subscriber(SubscriptionType="EMAIL", Address=email)])


def add_budget(t: Template, p: MainParameters, naming: Naming) -> budgets.Budget:
    tag_values = [Join("", ["user:Environment$", Ref(p.environment)]),
                  Join("", ["user:Project$", Ref(p.project)])]
    return t.add_resource(budgets.Budget(
        "MonthlyBudget",
        Budget=budgets.BudgetData(
            BudgetName=naming.name("monthly"),
            BudgetType="COST", TimeUnit="MONTHLY",
            BudgetLimit=budgets.Spend(Amount=Ref(p.monthly_budget), Unit="USD"),
            CostFilters={"TagKeyValue": tag_values}),
        NotificationsWithSubscribers=[
            _alert("ACTUAL", ACTUAL_PERCENT, Ref(p.alert_email)),
            _alert("FORECASTED", FORECAST_PERCENT, Ref(p.alert_email)),
        ]))
