"""政府信息公开: proactive catalogue with 索引号, 公开指南, 标准目录, 依申请公开 requests on the legal clock, fees,
告知书 and the statutory annual report (see the issue and ``rules/`` for the legal sources)."""
