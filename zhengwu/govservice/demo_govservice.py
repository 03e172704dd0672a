"""Demo county: about sixty service items across ten departments, in the wording of public county lists (limits as
such lists commonly give them), with 办理流程, a 主项 with its 业务办理项, and a few items handled online."""

from __future__ import annotations

from zhengwu.core.registry import DemoContext, demo_step, register_demo_accounts

HOURS = "周一至周五 上午8:30—12:00，下午14:30—17:30（法定节假日除外）"
ONLINE_BASE = "https://zwfw.example.gov.cn/bsfw/item/"
LAW = "《中华人民共和国行政许可法》"

# (name, type, 法定, 承诺, 到现场次数, audiences, life events, 依据, materials separated by |, online?)
DEPARTMENTS: dict[str, tuple[str, list[tuple]]] = {
    "GAJ": (
        "县政务服务中心一楼公安窗口",
        [
            (
                "居民身份证申领",
                "行政确认",
                60,
                20,
                1,
                "person",
                "birth",
                "《中华人民共和国居民身份证法》第八条",
                "居民户口簿|近期免冠照片",
                False,
            ),
            (
                "户口迁入（投靠直系亲属）",
                "行政确认",
                20,
                5,
                1,
                "person",
                "housing",
                "《中华人民共和国户口登记条例》第十条",
                "居民户口簿|居民身份证|亲属关系证明|合法稳定住所证明",
                True,
            ),
            (
                "出生登记",
                "行政确认",
                20,
                0,
                1,
                "person",
                "birth",
                "《中华人民共和国户口登记条例》第七条",
                "出生医学证明|父母双方居民户口簿|父母双方居民身份证|结婚证",
                True,
            ),
            (
                "居住证核发",
                "行政确认",
                15,
                10,
                1,
                "person",
                "housing",
                "《居住证暂行条例》第九条",
                "居民身份证|近期免冠照片|居住证明",
                True,
            ),
            (
                "机动车临时通行牌证核发",
                "行政许可",
                20,
                1,
                1,
                "person",
                "transport",
                "《中华人民共和国道路交通安全法》第八条",
                "机动车所有人身份证明|机动车来历证明|交通事故责任强制保险凭证",
                False,
            ),
            (
                "犬只登记",
                "行政许可",
                20,
                5,
                1,
                "person",
                "",
                "《县养犬管理规定》第八条",
                "养犬人身份证明|狂犬病免疫证明|犬只照片",
                False,
            ),
        ],
    ),
    "MZJ": (
        "县政务服务中心二楼民政窗口",
        [
            (
                "内地居民结婚登记",
                "行政确认",
                0,
                0,
                1,
                "person",
                "marriage",
                "《婚姻登记条例》第四条、第七条",
                "双方居民户口簿|双方居民身份证|双方近期半身免冠合影照片",
                False,
            ),
            (
                "内地居民离婚登记",
                "行政确认",
                30,
                30,
                2,
                "person",
                "marriage",
                "《中华人民共和国民法典》第一千零七十七条",
                "双方居民户口簿|双方居民身份证|结婚证|离婚协议书",
                False,
            ),
            (
                "最低生活保障对象认定",
                "行政给付",
                30,
                25,
                0,
                "person",
                "social_security",
                "《社会救助暂行办法》第十一条",
                "最低生活保障申请书|家庭成员身份证明|家庭收入和财产状况声明|授权核查家庭经济状况的声明",
                True,
            ),
            (
                "社会团体成立登记",
                "行政许可",
                60,
                20,
                1,
                "legal",
                "startup",
                "《社会团体登记管理条例》第九条",
                "登记申请书|业务主管单位批准文件|验资报告|住所使用权证明|章程草案",
                True,
            ),
            (
                "高龄津贴发放",
                "行政给付",
                20,
                10,
                0,
                "person",
                "elderly",
                "《县高龄津贴发放办法》",
                "居民身份证|居民户口簿|银行卡",
                True,
            ),
            (
                "养老机构备案",
                "行政备案",
                20,
                5,
                1,
                "legal",
                "elderly",
                "《养老机构管理办法》第九条",
                "备案书|登记证书|消防安全承诺书|服务场所权属证明",
                False,
            ),
        ],
    ),
    "RSJ": (
        "县政务服务中心三楼人社窗口",
        [
            (
                "就业创业证申领",
                "公共服务",
                5,
                0,
                1,
                "person",
                "employment",
                "《就业服务与就业管理规定》第六十一条",
                "居民身份证|近期免冠照片",
                True,
            ),
            (
                "失业保险金申领",
                "行政给付",
                20,
                5,
                0,
                "person",
                "employment",
                "《失业保险条例》第十六条",
                "居民身份证|解除劳动关系证明|社会保障卡",
                True,
            ),
            (
                "城乡居民养老保险参保登记",
                "公共服务",
                5,
                1,
                0,
                "person",
                "social_security",
                "《中华人民共和国社会保险法》第二十条",
                "居民身份证|居民户口簿",
                True,
            ),
            (
                "工伤认定",
                "行政确认",
                60,
                40,
                2,
                "person",
                "social_security",
                "《工伤保险条例》第二十条",
                "工伤认定申请表|劳动关系证明|医疗诊断证明",
                False,
            ),
            (
                "劳务派遣经营许可",
                "行政许可",
                20,
                10,
                1,
                "legal",
                "operation",
                "《中华人民共和国劳动合同法》第五十七条",
                "劳务派遣经营许可申请书|营业执照|注册资本证明|经营场所使用证明|劳务派遣管理制度",
                True,
            ),
            (
                "创业担保贷款申请",
                "公共服务",
                20,
                10,
                1,
                "person",
                "employment",
                "《创业担保贷款实施办法》",
                "居民身份证|营业执照|创业项目计划书",
                False,
            ),
        ],
    ),
    "ZRZYJ": (
        "县政务服务中心四楼不动产登记窗口",
        [
            (
                "国有建设用地使用权及房屋所有权首次登记",
                "行政确认",
                30,
                5,
                1,
                "legal",
                "construction",
                "《不动产登记暂行条例》第二十条",
                "不动产登记申请书|申请人身份证明|不动产权属来源材料|竣工验收材料|不动产权籍调查成果",
                True,
            ),
            (
                "房屋所有权转移登记（买卖）",
                "行政确认",
                30,
                3,
                1,
                "person",
                "housing",
                "《不动产登记暂行条例》第十四条",
                "不动产登记申请书|申请人身份证明|不动产权属证书|房屋买卖合同|完税凭证",
                True,
            ),
            (
                "抵押权首次登记",
                "行政确认",
                30,
                1,
                1,
                "legal",
                "",
                "《中华人民共和国民法典》第四百零二条",
                "不动产登记申请书|申请人身份证明|不动产权属证书|主债权合同|抵押合同",
                True,
            ),
            (
                "建设用地规划许可证核发",
                "行政许可",
                20,
                10,
                1,
                "legal",
                "construction",
                "《中华人民共和国城乡规划法》第三十七条",
                "建设用地规划许可申请表|项目批准文件|建设项目用地预审与选址意见书",
                False,
            ),
            (
                "乡村建设规划许可证核发",
                "行政许可",
                20,
                10,
                1,
                "person",
                "housing",
                "《中华人民共和国城乡规划法》第四十一条",
                "乡村建设规划许可申请表|宅基地使用证明|村民委员会意见|建设工程设计方案",
                False,
            ),
            (
                "采矿权登记",
                "行政许可",
                40,
                20,
                1,
                "legal",
                "operation",
                "《中华人民共和国矿产资源法》第三条",
                "采矿权申请登记书|矿产资源开发利用方案|矿山地质环境保护与土地复垦方案",
                False,
            ),
        ],
    ),
    "ZJJ": (
        "县政务服务中心四楼工程建设窗口",
        [
            (
                "建筑工程施工许可证核发",
                "行政许可",
                15,
                3,
                1,
                "legal",
                "construction",
                "《中华人民共和国建筑法》第七条",
                "施工许可申请表|建设工程规划许可证|施工合同|建设资金落实承诺书",
                True,
            ),
            (
                "商品房预售许可",
                "行政许可",
                20,
                10,
                1,
                "legal",
                "construction",
                "《城市商品房预售管理办法》第七条",
                "商品房预售许可申请表|营业执照|土地使用权证|建设工程规划许可证|施工许可证|预售方案",
                False,
            ),
            (
                "房屋建筑和市政基础设施工程竣工验收备案",
                "行政备案",
                15,
                5,
                1,
                "legal",
                "construction",
                "《房屋建筑和市政基础设施工程竣工验收备案管理办法》第四条",
                "竣工验收备案表|工程竣工验收报告|施工单位工程质量保修书",
                True,
            ),
            (
                "建筑业企业资质核准（施工劳务）",
                "行政许可",
                20,
                10,
                0,
                "legal",
                "operation",
                "《建筑业企业资质管理规定》第十条",
                "资质申请表|营业执照|主要人员证明材料",
                True,
            ),
            (
                "公共租赁住房资格确认",
                "行政确认",
                30,
                20,
                1,
                "person",
                "housing",
                "《公共租赁住房管理办法》第七条",
                "公共租赁住房申请表|家庭成员身份证明|住房状况证明|收入证明",
                False,
            ),
            (
                "城镇污水排入排水管网许可",
                "行政许可",
                20,
                7,
                1,
                "legal",
                "environment",
                "《城镇排水与污水处理条例》第二十一条",
                "排水许可申请表|排水户内部排水管网竣工图|排水水质检测报告",
                False,
            ),
        ],
    ),
    "JTYSJ": (
        "县政务服务中心一楼交通运输窗口",
        [
            (
                "道路旅客运输经营许可",
                "行政许可",
                20,
                10,
                1,
                "legal",
                "operation",
                "《中华人民共和国道路运输条例》第十条",
                "道路旅客运输经营申请表|营业执照|拟投入车辆承诺书|驾驶人员从业资格证",
                False,
            ),
            (
                "道路货物运输经营许可",
                "行政许可",
                20,
                5,
                0,
                "legal",
                "operation",
                "《中华人民共和国道路运输条例》第二十四条",
                "道路货物运输经营申请表|负责人身份证明|驾驶人员从业资格证|安全生产管理制度文本",
                True,
            ),
            (
                "出租汽车驾驶员从业资格注册",
                "行政许可",
                20,
                5,
                1,
                "person",
                "employment",
                "《出租汽车驾驶员从业资格管理规定》第二十条",
                "从业资格证|居民身份证|聘用合同",
                True,
            ),
            (
                "公路超限运输许可",
                "行政许可",
                15,
                5,
                1,
                "legal",
                "",
                "《中华人民共和国公路法》第五十条",
                "超限运输车辆通行申请表|车辆行驶证|护送方案",
                True,
            ),
            (
                "占用、挖掘公路许可",
                "行政许可",
                20,
                10,
                1,
                "legal",
                "construction",
                "《中华人民共和国公路法》第四十四条",
                "占用挖掘公路申请书|施工方案|安全保障措施",
                False,
            ),
            (
                "老年人公交乘车卡办理",
                "公共服务",
                1,
                0,
                1,
                "person",
                "elderly",
                "《县老年人优待办法》",
                "居民身份证|近期免冠照片",
                False,
            ),
        ],
    ),
    "WJW": (
        "县政务服务中心二楼卫生健康窗口",
        [
            (
                "公共场所卫生许可",
                "行政许可",
                20,
                5,
                1,
                "legal",
                "operation",
                "《公共场所卫生管理条例》第八条",
                "公共场所卫生许可申请表|营业执照|卫生管理制度|从业人员健康合格证明",
                True,
            ),
            (
                "医疗机构执业登记",
                "行政许可",
                45,
                20,
                1,
                "legal",
                "operation",
                "《医疗机构管理条例》第十五条",
                "医疗机构执业登记申请书|设置医疗机构批准书|医疗机构用房产权证明|规章制度",
                False,
            ),
            (
                "医师执业注册",
                "行政许可",
                20,
                10,
                0,
                "person",
                "employment",
                "《中华人民共和国医师法》第十三条",
                "医师执业注册申请审核表|医师资格证书|健康证明|拟执业机构聘用证明",
                True,
            ),
            (
                "出生医学证明首次签发",
                "公共服务",
                5,
                0,
                1,
                "person",
                "birth",
                "《中华人民共和国母婴保健法》第二十三条",
                "父母双方居民身份证|住院分娩记录",
                False,
            ),
            (
                "再生育审批",
                "行政确认",
                30,
                15,
                1,
                "person",
                "birth",
                "《县人口与计划生育条例》",
                "再生育申请表|夫妻双方居民身份证|结婚证|子女情况证明",
                False,
            ),
            (
                "饮用水供水单位卫生许可",
                "行政许可",
                20,
                10,
                1,
                "legal",
                "operation",
                "《生活饮用水卫生监督管理办法》第二十一条",
                "卫生许可申请书|水质检测报告|供水设施平面布局图",
                False,
            ),
        ],
    ),
    "SCJGJ": (
        "县政务服务中心一楼市场准入窗口",
        [
            (
                "企业设立登记",
                "行政许可",
                15,
                1,
                0,
                "legal",
                "startup",
                "《中华人民共和国市场主体登记管理条例》第十九条",
                "设立登记申请书|公司章程|股东主体资格证明|法定代表人任职文件|住所使用证明",
                True,
            ),
            (
                "个体工商户设立登记",
                "行政许可",
                15,
                0,
                0,
                "person",
                "employment",
                "《个体工商户条例》第八条",
                "个体工商户登记申请书|经营者身份证明|经营场所使用证明",
                True,
            ),
            (
                "企业注销登记",
                "行政许可",
                15,
                1,
                0,
                "legal",
                "closing",
                "《中华人民共和国市场主体登记管理条例》第三十一条",
                "注销登记申请书|清算报告|股东会决议",
                True,
            ),
            (
                "食品经营许可",
                "行政许可",
                20,
                10,
                1,
                "legal",
                "operation",
                "《中华人民共和国食品安全法》第三十五条",
                "食品经营许可申请书|营业执照|食品安全管理制度|经营场所布局图",
                True,
            ),
            (
                "特种设备使用登记",
                "行政许可",
                15,
                5,
                1,
                "legal",
                "operation",
                "《中华人民共和国特种设备安全法》第三十三条",
                "特种设备使用登记表|产品合格证|监督检验证明",
                True,
            ),
            (
                "药品零售企业许可",
                "行政许可",
                30,
                15,
                1,
                "legal",
                "operation",
                "《中华人民共和国药品管理法》第五十二条",
                "药品经营许可证申请表|营业执照|执业药师资格证书|质量管理文件目录",
                False,
            ),
        ],
    ),
    "NYNCJ": (
        "县政务服务中心三楼农业农村窗口",
        [
            (
                "农作物种子生产经营许可",
                "行政许可",
                20,
                10,
                1,
                "legal",
                "agriculture",
                "《中华人民共和国种子法》第三十一条",
                "种子生产经营许可证申请表|营业执照|种子检验设施清单|技术人员证明",
                False,
            ),
            (
                "兽药经营许可",
                "行政许可",
                20,
                10,
                1,
                "legal",
                "agriculture",
                "《兽药管理条例》第二十二条",
                "兽药经营许可证申请表|营业执照|经营场所证明|质量管理制度",
                False,
            ),
            (
                "动物防疫条件合格证核发",
                "行政许可",
                20,
                10,
                1,
                "legal",
                "agriculture",
                "《中华人民共和国动物防疫法》第二十四条",
                "动物防疫条件审查申请表|场所地理位置图|设施设备清单|防疫管理制度",
                False,
            ),
            (
                "农村宅基地批准",
                "行政许可",
                30,
                20,
                1,
                "person",
                "housing",
                "《中华人民共和国土地管理法》第六十二条",
                "农村宅基地和建房申请表|农村宅基地使用承诺书|村民小组会议记录",
                False,
            ),
            (
                "农机购置补贴申领",
                "行政给付",
                30,
                15,
                1,
                "person",
                "",
                "《农业机械购置补贴实施指导意见》",
                "补贴申请表|购机发票|居民身份证|银行卡",
                True,
            ),
            (
                "渔业捕捞许可",
                "行政许可",
                20,
                10,
                1,
                "person",
                "employment",
                "《中华人民共和国渔业法》第二十三条",
                "捕捞许可证申请书|渔业船舶证书|居民身份证",
                False,
            ),
        ],
    ),
    "YBJ": (
        "县政务服务中心三楼医保窗口",
        [
            (
                "城乡居民基本医疗保险参保登记",
                "公共服务",
                5,
                0,
                0,
                "person",
                "medical",
                "《中华人民共和国社会保险法》第二十五条",
                "居民身份证|居民户口簿",
                True,
            ),
            (
                "异地就医备案",
                "公共服务",
                5,
                0,
                0,
                "person",
                "medical",
                "《关于进一步做好基本医疗保险跨省异地就医直接结算工作的通知》",
                "医保电子凭证或社会保障卡|异地居住证明或承诺书",
                True,
            ),
            (
                "门诊慢特病待遇认定",
                "行政确认",
                20,
                10,
                1,
                "person",
                "medical",
                "《县医疗保障待遇清单》",
                "门诊慢特病申请表|病历资料|相关检查报告",
                True,
            ),
            (
                "医疗费用零星报销",
                "行政给付",
                30,
                20,
                1,
                "person",
                "medical",
                "《中华人民共和国社会保险法》第二十九条",
                "医疗费用发票|费用明细清单|出院记录|社会保障卡",
                False,
            ),
            (
                "生育保险待遇核准",
                "行政给付",
                20,
                10,
                0,
                "person",
                "birth",
                "《中华人民共和国社会保险法》第五十四条",
                "出生医学证明|生育费用票据|社会保障卡",
                True,
            ),
            (
                "定点医药机构申请受理",
                "公共服务",
                60,
                30,
                1,
                "legal",
                "operation",
                "《医疗机构医疗保障定点管理暂行办法》第十条",
                "定点医疗机构申请表|执业许可证|医保管理制度|信息系统说明",
                False,
            ),
        ],
    ),
}

# 食品经营许可 has 业务办理项 (新办 / 变更 / 延续 / 注销), as the 事项 hierarchy asks.
HANDLING_OF = ("SCJGJ", "食品经营许可", ["新办", "变更", "延续", "注销"])
CHARGED = {
    "居民身份证申领": (
        "首次申领、换领每证 20 元；丢失补领、损坏换领每证 40 元",
        "《国家发展改革委 财政部关于居民身份证收费标准及有关问题的通知》",
    ),
    "国有建设用地使用权及房屋所有权首次登记": (
        "住宅类每件 80 元；非住宅类每件 550 元",
        "《国家发展改革委 财政部关于不动产登记收费标准等有关问题的通知》",
    ),
    "房屋所有权转移登记（买卖）": (
        "住宅类每件 80 元；非住宅类每件 550 元",
        "《国家发展改革委 财政部关于不动产登记收费标准等有关问题的通知》",
    ),
}
SPECIAL_STEPS = {
    "建筑工程施工许可证核发": ("现场踏勘", 3, "《中华人民共和国行政许可法》第四十五条"),
    "医疗机构执业登记": ("现场审核和专家评审", 10, "《中华人民共和国行政许可法》第四十五条"),
    "采矿权登记": ("专家评审", 15, "《中华人民共和国行政许可法》第四十五条"),
    "建设用地规划许可证核发": ("公示", 7, "《中华人民共和国城乡规划法》第二十六条"),
}


def _steps(item_type: str, promised: int, name: str) -> list:
    from .services.items import StepData

    if promised == 0:
        return []
    steps = [
        StepData("受理", 0, description="审查材料是否齐全、符合法定形式，当场作出受理或一次性告知补正"),
        StepData("审查", max(promised - 1, 0), description="审查申请材料的实质内容"),
    ]
    if name in SPECIAL_STEPS:
        step_name, days, basis = SPECIAL_STEPS[name]
        steps.append(
            StepData(step_name, days, counts_toward_legal=False, basis=basis, description="特殊环节")
        )
    steps.append(StepData("决定", 1, description="作出准予或者不予的书面决定"))
    if item_type == "行政许可":
        steps.append(
            StepData(
                "送达", 10, counts_toward_legal=False, basis=f"{LAW}第四十四条", description="颁发、送达证件"
            )
        )
    return steps


def _data(code: str, org, place: str, row: tuple, *, sort: int):
    from .services.items import ItemData, MaterialData

    name, item_type, legal, promised, visits, audience, event, basis, materials, online = row
    fee = CHARGED.get(name)
    return ItemData(
        code=code,
        organization=org,
        name=name,
        item_type=item_type,
        competent_department=org.name,
        basis=basis,
        legal_limit_days=legal,
        promised_limit_days=promised,
        limit_basis=f"{LAW}第四十二条" if item_type == "行政许可" else "",
        case_kind="instant" if promised == 0 else "promised",
        onsite_visits=visits,
        conditions=f"符合{basis}规定条件的申请人，提交的申请材料齐全、符合法定形式。",
        place=place,
        hours=HOURS,
        consult_phone=f"0731-555{sort:04d}",
        complaint_phone="0731-5551234（县政务服务中心效能投诉），12345",
        charges=fee is not None,
        fee_standard=fee[0] if fee else "",
        fee_basis=fee[1] if fee else "",
        materials=[MaterialData(m) for m in materials.split("|")],
        steps=_steps(item_type, promised, name),
        audiences=[audience],
        life_events=[event] if event else [],
        online_apply_url=f"{ONLINE_BASE}{code}" if online else "",
    )


@demo_step(62, "网上办事：事项清单与办事指南")
def build_items(ctx: DemoContext) -> None:
    from .models import ServiceItem
    from .services.items import create_item

    orgs = ctx.objects["orgs"]
    type_codes = {"行政许可": "XK", "行政确认": "QR", "行政给付": "JF", "行政备案": "BA", "公共服务": "GG"}
    made = 0
    sort = 0
    for dept_code, (place, rows) in DEPARTMENTS.items():
        org = orgs[dept_code]
        prefix = org.credit_code or dept_code
        for n, row in enumerate(rows, 1):
            sort += 1
            code = f"{prefix}-{type_codes[row[1]]}-{n:04d}"
            if ServiceItem.objects.filter(code=code).exists():
                continue
            item = create_item(actor=None, data=_data(code, org, place, row, sort=sort))
            item.sort_order = n
            item.save(update_fields=["sort_order"])
            made += 1
            if (dept_code, row[0]) == HANDLING_OF[:2]:
                for m, kind in enumerate(HANDLING_OF[2], 1):
                    sub = (f"{row[0]}（{kind}）", *row[1:])
                    data = _data(f"{code}-{m:02d}", org, place, sub, sort=sort)
                    data.level, data.parent = "handling", item
                    create_item(actor=None, data=data)
                    made += 1
    ctx.log(f"政务服务事项 {made} 项（{len(DEPARTMENTS)} 个部门）")


@demo_step(63, "网上办事：一年的办件与电子监察")
def build_cases(ctx: DemoContext) -> None:
    """A year of cases up to today, loaded through the same import as an old system's: most finished within the
    promised limit, some early, a few past it (黄牌) or past the statutory limit (红牌), some paused for 检验 or
    专家评审, the latest still open."""
    import datetime as dt
    import json
    import random

    from django.utils import timezone

    from zhengwu.core.selectors.calendar import get_work_calendar
    from zhengwu.core.services.clock import SHANGHAI

    from .models import ServiceCase, ServiceItem
    from .services.supervision import import_cases, supervision_figures

    if ServiceCase.objects.exists():
        return
    rng = random.Random(ctx.seed + 63)
    calendar = get_work_calendar()
    today = timezone.localdate()
    first = today - dt.timedelta(days=365)
    workdays = [
        first + dt.timedelta(days=n) for n in range(366) if calendar.is_workday(first + dt.timedelta(days=n))
    ]
    items = list(ServiceItem.objects.select_related("current_version").order_by("code"))
    per_item = max(3, round(30 * min(ctx.scale, 1.0)))
    lines = []
    for item in items:
        version = item.current_version
        for n in range(per_item):
            accepted_on = rng.choice(workdays)
            accepted_at = dt.datetime.combine(
                accepted_on, dt.time(rng.randrange(9, 17), rng.randrange(60)), tzinfo=SHANGHAI
            )
            promised, legal = version.promised_limit_days, version.legal_limit_days
            roll = rng.random()
            if roll < 0.02:
                took = legal + rng.randrange(1, 4)  # 红牌
            elif roll < 0.08 and legal > promised:
                took = rng.randrange(promised + 1, legal + 1)  # 黄牌
            elif promised == 0:
                took = 0
            else:
                took = rng.randrange(max(1, promised // 3), promised + 1)
            pauses = []
            if promised and rng.random() < 0.05:
                start = calendar.shift(accepted_on, max(1, took // 2))
                end = calendar.shift(start, rng.randrange(2, 6))
                pauses = [
                    {
                        "from": start.isoformat(),
                        "to": end.isoformat(),
                        "reason": rng.choice(["检验", "专家评审", "鉴定"]),
                    }
                ]
                took += calendar.count(start, end)
            finished_on = calendar.shift(accepted_on, took)
            finished_at = None
            if finished_on < today and rng.random() > 0.005:
                finished_at = dt.datetime.combine(
                    finished_on, dt.time(rng.randrange(9, 18), rng.randrange(60)), tzinfo=SHANGHAI
                )
                finished_at = max(finished_at, accepted_at + dt.timedelta(minutes=rng.randrange(5, 40)))
            elif pauses and dt.date.fromisoformat(pauses[0]["to"]) >= today:
                pauses = []  # a pause is recorded once it ends
            lines.append(
                json.dumps(
                    {
                        "id": f"{item.code}-{accepted_on:%Y%m%d}-{n:03d}",
                        "item_code": item.code,
                        "accepted_at": accepted_at.isoformat(),
                        "finished_at": finished_at.isoformat() if finished_at else None,
                        "pauses": pauses,
                        "decision": ("准予" if rng.random() < 0.96 else "不予") if finished_at else None,
                    },
                    ensure_ascii=False,
                )
            )
    summary = import_cases(data="\n".join(lines).encode("utf-8"))
    figures = supervision_figures(date_from=first, date_to=today)
    ctx.log(
        f"办件 {summary.created} 件；近一年办结 {figures['finished']} 件，黄牌 {figures['yellow']} 件，"
        f"红牌 {figures['red']} 件"
    )


APPLICATION_ACCOUNTS = [
    ("zwfw_admin", "章审批", "service_admin", "XSPJ"),
    ("wjw_window", "卫窗口", "service_handler", "WJW"),
    ("wjw_head", "卫局长", "leader", "WJW"),
]
register_demo_accounts(APPLICATION_ACCOUNTS)


@demo_step(64, "网上办事：网上申报在各个办理环节")
def build_applications(ctx: DemoContext) -> None:
    """A department's online applications in every state: new, past the day to tell what to correct, waiting for
    补正, in a step, in 特别程序, decided and waiting to be served, finished, and refused."""
    import datetime as dt
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone
    from PIL import Image

    from zhengwu.core.demo_core import DEMO_PASSWORD
    from zhengwu.core.models import Role, Staff
    from zhengwu.core.selectors.calendar import get_work_calendar
    from zhengwu.core.services.clock import SHANGHAI
    from zhengwu.core.services.staff import assign_roles
    from zhengwu.core.validators import make_credit_code

    from .models import Application, ServiceItem
    from .services import applications as svc

    if Application.objects.exists():
        return
    orgs = ctx.objects["orgs"]
    staff = {}
    for username, name, role, code in APPLICATION_ACCOUNTS:
        user = Staff(
            username=username, display_name=name, organization=orgs[code], email=f"{username}@example.org"
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        assign_roles(staff=user, roles=[Role.objects.get(code=role)], actor=None)
        staff[username] = Staff.objects.get(pk=user.pk)
    handler, head = staff["wjw_window"], staff["wjw_head"]
    items = [
        item
        for item in ServiceItem.objects.filter(organization=orgs["WJW"]).select_related("current_version")
        if item.current_version.online_capable and item.current_version.promised_limit_days > 0
    ]
    if not items:
        return
    calendar = get_work_calendar()
    today = timezone.localdate()

    def moment(workdays_ago: int, hour: int) -> dt.datetime:
        day = calendar.shift(today, -workdays_ago) if workdays_ago else today
        return dt.datetime.combine(day, dt.time(hour, 10), tzinfo=SHANGHAI)

    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, "PNG")
    png = buffer.getvalue()
    people = [
        ("示范县城关镇仁心诊所", make_credit_code("92999999MA0000001")),
        ("示范县青山镇康宁口腔诊所", make_credit_code("92999999MA0000002")),
        ("示范县白沙镇惠民医院", make_credit_code("52999999MJ0000003")),
        ("示范县石门镇济生堂中医诊所", make_credit_code("92999999MA0000004")),
        ("示范县新村镇百姓大药房", make_credit_code("92999999MA0000005")),
        ("示范县马坳镇安康护理院", make_credit_code("52999999MJ0000006")),
        ("示范县黄港镇明目眼科诊所", make_credit_code("92999999MA0000007")),
        ("示范县溪口镇同仁门诊部", make_credit_code("92999999MA0000008")),
    ]

    def submit(n: int, workdays_ago: int):
        item = items[n % len(items)]
        files = {}
        for index, material in enumerate(item.current_version.materials.order_by("position")):
            data, name = (png, "扫描件.png") if index % 2 else (pdf, "材料.pdf")
            files[material.pk] = [SimpleUploadedFile(f"{material.name}{name}", data)]
        name, code = people[n]
        return svc.submit_application(
            item=item,
            applicant=svc.Applicant(
                kind="legal", name=name, id_number=code, phone=f"1390000{n:04d}", contact_name="王经办"
            ),
            form_data={"matter": f"{name}申请办理{item.current_version.name}。", "address": f"{name}所在地"},
            files=files,
            at=moment(workdays_ago, 9),
        )

    def through_steps(application, start: int):
        for offset, _step in enumerate(application.version.steps.all()):
            application = svc.complete_step(
                application=application, actor=handler, note="审查通过。", at=moment(start - offset, 15)
            )
        return application

    submit(0, 0)  # 待受理
    submit(1, 8)  # past the day to tell what to correct: accepted on receipt when accepted now
    waiting = submit(2, 4)
    svc.request_correction(
        application=waiting,
        actor=handler,
        materials=[waiting.version.materials.order_by("position").first().name],
        note="申请书缺少法定代表人签字，请签字后重新上传。",
        at=moment(3, 10),
    )
    stepping = svc.accept(application=submit(3, 10), actor=handler, at=moment(9, 10))
    first = stepping.version.steps.first()
    if first is not None:
        svc.complete_step(application=stepping, actor=handler, note="材料审查通过。", at=moment(7, 15))
    paused = svc.accept(application=submit(4, 12), actor=handler, at=moment(11, 10))
    svc.suspend(
        application=paused,
        actor=handler,
        kind="专家评审",
        reason="组织专家对诊疗科目设置进行评审",
        at=moment(2, 10),
    )
    decided = through_steps(svc.accept(application=submit(5, 14), actor=handler, at=moment(13, 10)), 8)
    svc.decide(
        application=decided,
        actor=handler,
        grant=True,
        reason="准予登记，核发医疗机构执业许可证。",
        at=moment(1, 11),
    )
    done = through_steps(svc.accept(application=submit(6, 30), actor=handler, at=moment(29, 10)), 27)
    done = svc.decide(application=done, actor=handler, grant=True, reason="准予登记。", at=moment(22, 11))
    svc.deliver(application=done, actor=handler, method="电子证照", at=moment(21, 10))
    svc.reject(
        application=submit(7, 6),
        actor=handler,
        reason="申请的药品零售不属于本机关职权范围，请向县市场监督管理局申请。",
        at=moment(5, 10),
    )
    ctx.log(
        f"网上申报 {Application.objects.count()} 件（{orgs['WJW'].name}，各个办理环节），审批人员 {head.username} 可批准延期"
    )


@demo_step(65, "网上办事：好差评与差评整改")
def build_ratings(ctx: DemoContext) -> None:
    """一次一评 of a good share of the year's finished cases — mostly 非常满意 and 满意, a few 差评 — and the
    rectifications of the 实名差评 in every state: fixed and confirmed by the rater, fixed and waiting for review,
    being fixed, appealed and waiting for 复核, and one appeal upheld. The online applications of the demo are left
    unrated, for a visitor to rate."""
    import datetime as dt
    import random

    from django.utils import timezone

    from zhengwu.core.models import Staff
    from zhengwu.core.services import dispatch as engine

    from . import rules
    from .models import RatingChannel, Rectification, ServiceCase, ServiceRating
    from .services import ratings as svc

    if ServiceRating.objects.exists():
        return
    svc.load_rating_rules()  # the rectification limits (setup step 55), for a demo built without ``zhengwu setup``
    rng = random.Random(ctx.seed + 65)
    office = Staff.objects.filter(username="zwfw_admin").first()
    now = timezone.now()
    cases = list(
        ServiceCase.objects.filter(finished_at__isnull=False, finished_at__lt=now - dt.timedelta(days=1))
        .select_related("item", "version", "organization")
        .order_by("finished_at", "pk")
    )
    rng.shuffle(cases)
    cases = sorted(cases[: max(20, len(cases) * 2 // 5)], key=lambda c: c.finished_at)
    onsite = svc.indicators(RatingChannel.ONSITE)
    surnames, given = "王李张刘陈杨黄赵周吴", ["建国", "秀英", "志强", "海燕", "国华", "丽娟", "文斌", "春梅"]
    reasons = {
        "多次跑动": "同一件事跑了三趟，每次都说缺一样材料，第一次就应该讲清楚。",
        "办理时间过长": "说好五个工作日，结果等了两周才拿到。",
        "窗口人员态度差": "窗口工作人员说话不耐烦，问两句就不理人。",
        "材料要求不清楚": "办事指南上写的材料和窗口要的不一样。",
        "要求提交规定以外的材料": "窗口要求另外开一份指南里没有的证明。",
    }
    bad: list[ServiceRating] = []
    for n, case in enumerate(cases):
        roll = rng.random()
        level = 5 if roll < 0.72 else 4 if roll < 0.9 else 3 if roll < 0.965 else 2 if roll < 0.99 else 1
        scores = {name: max(1, min(5, level + rng.choice([0, 0, 0, 1, -1]))) for name in onsite}
        scores[onsite[0]] = level
        tag = rng.choice(list(reasons))
        low = svc.is_bad(level)
        real = low and rng.random() < 0.85
        rated_at = min(
            case.finished_at + dt.timedelta(minutes=rng.randrange(2, 90)), now - dt.timedelta(hours=2)
        )
        rating = svc.submit_rating(
            channel=RatingChannel.ONSITE,
            case=case,
            data=svc.RatingInput(
                scores=scores,
                tags=[tag] if low else [],
                reason=reasons[tag] if low and rng.random() < 0.7 else "",
                rater_name=f"{rng.choice(surnames)}{rng.choice(given)}" if real else "",
                rater_phone=f"1370000{n % 10000:04d}" if real else "",
            ),
            at=rated_at,
        )
        if real:
            bad.append(rating)

    def handler(org):
        return engine.unit_handlers(org).first()

    states = {"fixed": 0, "review": 0, "fixing": 0, "appeal": 0, "void": 0}
    for index, rating in enumerate(bad):
        rectification = Rectification.objects.get(rating=rating)
        start = rating.rated_at
        if now - start < dt.timedelta(days=3):
            continue  # just dispatched: waiting for 回访核实
        unit = handler(rating.organization)
        last = index == len(bad) - 1
        step = start + dt.timedelta(hours=3)
        rectification = svc.verify(
            rectification=rectification,
            note=f"已电话联系评价人{rating.rater_name}，核实情况属实，已向评价人说明整改安排。",
            actor=unit,
            at=step,
        )
        if index % 7 == 3:
            svc.appeal(
                rectification=rectification,
                kind="误评",
                text="经核查窗口录像，评价人当日办理的是另一事项，评价器按键有误，系误评。",
                actor=unit,
                at=step + dt.timedelta(hours=2),
            )
            if index % 14 == 3:
                svc.decide_appeal(
                    rectification=rectification,
                    upheld=True,
                    note="经调取窗口录像核实，评价人误按评价器，申诉成立。",
                    actor=office,
                    at=step + dt.timedelta(days=1),
                )
                states["void"] += 1
            else:
                states["appeal"] += 1
            continue
        if last or now - start < dt.timedelta(days=5):
            states["fixing"] += 1
            continue
        reply = svc.report(
            rectification=rectification,
            text=f"针对“{'、'.join(rating.tags)}”的问题，已对窗口人员开展业务培训，完善一次性告知单，"
            "并在办事指南中补充材料说明。",
            actor=unit,
            at=step + dt.timedelta(days=3),
        )
        if index % 5 == 4:
            states["review"] += 1
            continue
        engine.review_reply(reply=reply, accept=True, actor=office, at=step + dt.timedelta(days=4))
        engine.record_callback(
            case=rectification,
            rating=rng.choice(["满意", "满意", "基本满意"]),
            note="评价人认可整改结果。",
            actor=office,
            at=step + dt.timedelta(days=4, hours=2),
        )
        engine.finish_case(case=rectification, actor=office, at=step + dt.timedelta(days=4, hours=3))
        states["fixed"] += 1
    ctx.log(
        f"好差评 {ServiceRating.objects.count()} 个（差评 {ServiceRating.objects.filter(level__in=rules.bad_rating_levels()).count()} 个）；"
        f"实名差评整改：已整改 {states['fixed']}，待审核 {states['review']}，整改中 {states['fixing']}，"
        f"申诉待复核 {states['appeal']}，申诉成立 {states['void']}"
    )
