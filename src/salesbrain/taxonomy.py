"""Label taxonomy v1 (see the taxonomy spec): stable English keys, Chinese display names."""

from __future__ import annotations

TAXONOMY_VERSION = "v1"

INTENTS: dict[str, str] = {
    "greeting": "问候",
    "product_inquiry": "商品咨询",
    "size_fit": "尺码适配",
    "price_promotion": "价格优惠",
    "stock_availability": "库存到货",
    "order_payment": "下单支付",
    "logistics": "物流配送",
    "return_exchange": "退换售后",
    "complaint": "投诉不满",
    "store_visit": "到店预约",
    "membership": "会员权益",
    "purchase_intent": "购买意向",
    "thanks_closing": "致谢结束",
    "other": "其他",
}

OUTCOMES: dict[str, str] = {
    "purchased": "成交",
    "store_visit": "到店",
    "resolved": "已解决",
    "complaint_open": "投诉未决",
    "lost": "流失",
    "no_reply": "未回复",
    "ongoing": "进行中",
}

SCORECARD_COMPONENTS: dict[str, str] = {
    "first_response_s": "首次响应时长",
    "reply_coverage": "回复覆盖率",
    "task_execution_rate": "任务执行率",
    "conversion_rate": "转化率",
    "attributed_gmv": "赋能业绩",
    "quality": "回复质量",
    "compliance_violations": "合规违规",
    "score": "综合得分",
}

INTENT_KEYS: tuple[str, ...] = tuple(INTENTS)
OUTCOME_KEYS: tuple[str, ...] = tuple(OUTCOMES)
