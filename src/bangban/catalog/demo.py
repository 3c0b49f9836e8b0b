"""Yiyuan's demo catalog: the items a county's implementation list (实施清单) states for its sub-zones,
windows, town centres and village stations, with materials as a county office writes them. Called by
`bangban demo` after the network and the helpers (see network/demo.py); built through
`actions.create_item`, so every item passes the same rules as one entered in the app.

Codes: the implementation code (实施编码) is the department's unified social credit code (18, with valid
check characters), the basic code (基本编码, 12) and a 3-digit handling-item number (业务办理项), so two
handling items of one basic code (住房公积金提取：退休 / 购房) stay distinct. Types use the code system of
the Shandong item-management system: 01 行政许可 … 05 行政给付, 07 行政确认, 10 其他行政权力, 20 公共服务.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from bangban.network.demo import Demo
from bangban.network.models import Department, Domain

from . import actions
from .actions import ItemData, MaterialData
from .models import ItemRevision, Level, LimitUnit, Material, Mode, ServiceItem

TYPE_SYSTEM = "山东省政务服务事项管理系统"
TYPES = {
    "01": "行政许可",
    "05": "行政给付",
    "07": "行政确认",
    "10": "其他行政权力",
    "20": "公共服务",
}

# --- Departments and their unified social credit codes (GB 32100) ---------------------------------

APPROVAL = "县行政审批服务局"
HRSS = "县人力资源和社会保障局"
MEDICAL = "县医疗保障局"
POLICE = "县公安局"
TAX = "国家税务总局沂源县税务局"
FUND = "淄博市住房公积金管理中心沂源分中心"
CIVIL = "县民政局"
JUSTICE = "县司法局"
NATURAL_RESOURCES = "县自然资源局"
HOUSING = "县住房和城乡建设局"
REAL_ESTATE = "县不动产登记中心"
DISABLED = "县残疾人联合会"

#: Registration authority and type (11 机关, 12 事业单位, 13 群团) + area code + organisation code body
#: (8 characters; the check characters are computed).
CREDIT_BODIES = {
    APPROVAL: "11370323MB285038",
    HRSS: "1137032300430254",
    MEDICAL: "11370323MB285127",
    POLICE: "1137032300430213",
    TAX: "11370323MB156204",
    FUND: "1237032349413507",
    CIVIL: "1137032300430221",
    JUSTICE: "1137032300430230",
    NATURAL_RESOURCES: "11370323MB285066",
    HOUSING: "1137032300430246",
    REAL_ESTATE: "12370323MB285172",
    DISABLED: "1337032300430297",
}

_CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def credit_code(body: str) -> str:
    """The 18-character code of a 16-character body: the organisation code's check character
    (GB 11714, MOD 11) and then the credit code's own (GB 32100, MOD 31)."""
    organisation = body[8:]
    total = sum(int(c, 36) * w for c, w in zip(organisation, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    code = body + {10: "X", 11: "0"}.get(check, str(check))
    total = sum(_CREDIT_ALPHABET.index(c) * pow(3, i, 31) for i, c in enumerate(code))
    return code + _CREDIT_ALPHABET[(31 - total % 31) % 31]


# --- Shorthand for the list below ------------------------------------------------------------------

C, T, V, P = Level.COUNTY, Level.TOWN, Level.VILLAGE, Level.PARTNER
MOBILE, ONLINE, KIOSK = Mode.MOBILE, Mode.ONLINE, Mode.SELF_SERVICE
SITE, BOOK, HOME = Mode.ON_SITE, Mode.APPOINTMENT, Mode.HOME_VISIT
WORKING, NATURAL = LimitUnit.WORKING, LimitUnit.NATURAL

CERT, FORM, OTHER = Material.Kind.CERTIFICATE, Material.Kind.FORM, Material.Kind.OTHER
PAPER, ELECTRONIC, BOTH = Material.Form.PAPER, Material.Form.ELECTRONIC, Material.Form.BOTH
REQUIRED = Material.Necessity.REQUIRED
OPTIONAL = Material.Necessity.OPTIONAL
DEFERRABLE = Material.Necessity.DEFERRABLE
APPLICANT, GOVERNMENT, ELSEWHERE = (
    Material.Source.APPLICANT,
    Material.Source.GOVERNMENT,
    Material.Source.OTHER,
)

CHECKED = "现场核验原件后退还"
E_LICENCE = "可通过电子证照免提交"
FREE_FORM = "窗口免费提供，可现场填写"


def m(
    name: str,
    kind: str = OTHER,
    *,
    form: str = PAPER,
    need: str = REQUIRED,
    source: str = APPLICANT,
    originals: int = 0,
    copies: int = 0,
    notes: str = "",
    standard: str = "",
) -> MaterialData:
    return MaterialData(
        name=name,
        kind=kind,
        form=form,
        necessity=need,
        source=source,
        originals=originals,
        copies=copies,
        notes=notes,
        standard=standard,
    )


def id_card(whose: str = "申请人", what: str = "居民身份证", **changes) -> MaterialData:
    """The resident ID card (or what stands for it), as nearly every list starts."""
    values = {
        "kind": CERT,
        "form": BOTH,
        "source": GOVERNMENT,
        "originals": 1,
        "notes": f"{CHECKED}；{E_LICENCE}",
        "standard": "在有效期内，与申请人一致",
    }
    values.update(changes)
    return m(f"{whose}{what}", **values)


def licence(name: str = "营业执照", **changes) -> MaterialData:
    """The business licence, shared electronically."""
    values = {
        "kind": CERT,
        "form": ELECTRONIC,
        "source": GOVERNMENT,
        "notes": "通过电子营业执照或部门数据共享核验，免提交纸质材料",
    }
    values.update(changes)
    return m(name, **values)


def proxy(name: str = "授权委托书", **changes) -> MaterialData:
    values = {
        "kind": FORM,
        "need": OPTIONAL,
        "originals": 1,
        "notes": "委托他人或帮办代办员代为办理时提供，附受托人居民身份证",
    }
    values.update(changes)
    return m(name, **values)


@dataclass(frozen=True)
class Spec:
    department: str
    basic_code: str
    name: str
    type_code: str
    domains: tuple[str, ...]
    levels: tuple[str, ...]
    modes: tuple[str, ...]
    legal: int
    promised: int
    materials: list[MaterialData]
    guide: str
    unit: str = WORKING
    legal_unit: str | None = None
    suffix: int = 1
    version: str = "1"
    fee_charged: bool = False
    fee_note: str = ""

    @property
    def implementation_code(self) -> str:
        return f"{credit_code(CREDIT_BODIES[self.department])}{self.basic_code}{self.suffix:03d}"


ID_FEE = "居民身份证工本费：申领、换领 20 元/证，丢失补领、损坏换领 40 元/证。依据：《国家发展改革委 财政部关于居民身份证收费标准及有关问题的通知》（发改价格〔2003〕2322号）。"
ESTATE_FEE = "不动产登记费：住宅类 80 元/件，非住宅类 550 元/件；每件核发一本证书，每增加一本加收工本费 10 元。依据：《国家发展改革委 财政部关于不动产登记收费标准等有关问题的通知》（发改价格规〔2016〕2559号）。小微企业免收。"
MORTGAGE_FEE = "不动产登记费：住宅类 80 元/件，非住宅类 550 元/件（不核发证书，核发不动产登记证明）。依据：发改价格规〔2016〕2559号。"

ENTERPRISE = "enterprise_startup"
INVESTMENT = "investment_projects"
COMPREHENSIVE = "comprehensive_acceptance"
HR = "human_resources_social_security"
MEDICAL_INSURANCE = "medical_insurance"
PUBLIC_SECURITY = "public_security"
TAXES = "tax"
PROVIDENT_FUND = "housing_provident_fund"
MARRIAGE = "marriage_registration"
LAW = "justice"

ITEMS: list[Spec] = [
    # --- 企业开办 ------------------------------------------------------------------------------------
    Spec(
        APPROVAL,
        "000141001001",
        "企业设立登记（有限责任公司）",
        "01",
        (ENTERPRISE,),
        (C,),
        (SITE, ONLINE, MOBILE, BOOK, KIOSK),
        legal=3,
        promised=1,
        version="4",
        guide="受理条件：申请人已完成名称自主申报，申请材料齐全、符合法定形式。\n"
        "办理流程：通过山东省企业开办“一窗通”平台网上申报或到企业开办分区现场申请 → 窗口审核 → "
        "核准登记，同步办理公章刻制、发票申领、社保登记、公积金缴存登记 → 发放营业执照（可领取电子营业执照）。\n"
        "新办企业首套印章免费刻制，营业执照可免费邮寄。",
        materials=[
            m(
                "《公司登记（备案）申请书》",
                FORM,
                form=BOTH,
                originals=1,
                notes="通过“一窗通”平台申报的在线签署，免提交纸质",
            ),
            m("公司章程", originals=1, notes="全体股东签署"),
            m(
                "股东的主体资格文件或者自然人身份证明",
                CERT,
                copies=1,
                notes="自然人股东提供居民身份证，现场核验原件后退还；已完成实名认证的免提交",
            ),
            m(
                "法定代表人、董事、监事和经理的任职文件",
                originals=1,
                notes="依据章程产生的股东会决议、董事会决议等",
            ),
            m(
                "住所（经营场所）使用证明",
                copies=1,
                notes="自有房产提供不动产权证书；租赁的提供租赁协议。实行住所申报承诺制的，"
                "可提交《住所（经营场所）申报承诺书》",
            ),
            proxy(name="《指定代表或者共同委托代理人授权委托书》"),
        ],
    ),
    Spec(
        APPROVAL,
        "000141002001",
        "个体工商户设立登记",
        "01",
        (ENTERPRISE,),
        (C, T),
        (SITE, ONLINE, MOBILE, BOOK),
        legal=3,
        promised=0,
        version="3",
        guide="受理条件：有经营能力的公民，经营范围不属于禁止类。\n"
        "办理流程：现场或“爱山东”APP、“一窗通”平台提交申请 → 材料齐全的当场登记 → 发放营业执照。"
        "各镇（街道）便民服务中心可就近受理。",
        materials=[
            m("《个体工商户登记（备案）申请书》", FORM, originals=1, notes=FREE_FORM),
            id_card("经营者"),
            m(
                "经营场所使用证明",
                copies=1,
                notes="自有房屋提供不动产权证书复印件；租赁的提供租赁合同；农村无产权证明的房屋由村（居）委会出具证明",
            ),
            proxy(),
        ],
    ),
    Spec(
        APPROVAL,
        "000141003001",
        "农民专业合作社设立登记",
        "01",
        (ENTERPRISE,),
        (C, T),
        (SITE, ONLINE),
        legal=3,
        promised=1,
        version="2",
        guide="受理条件：有五名以上符合规定的成员，农民至少占成员总数的百分之八十；有符合规定的章程、"
        "组织机构、名称和住所。\n办理流程：申请 → 审核 → 登记 → 发放营业执照。",
        materials=[
            m("《农民专业合作社登记（备案）申请书》", FORM, originals=1, notes=FREE_FORM),
            m("全体设立人签名、盖章的设立大会纪要", originals=1),
            m("全体设立人签名、盖章的章程", originals=1),
            m("法定代表人、理事的任职文件及身份证明", originals=1, copies=1),
            m(
                "成员出资清单",
                originals=1,
                notes="载明成员姓名或者名称、出资方式、出资额，经全体出资成员签名、盖章确认",
            ),
            m(
                "成员名册及成员身份证明",
                copies=1,
                notes="农民成员提供居民身份证或户口簿复印件",
            ),
            m("住所使用证明", copies=1),
        ],
    ),
    Spec(
        APPROVAL,
        "000141004001",
        "企业变更登记",
        "01",
        (ENTERPRISE,),
        (C,),
        (SITE, ONLINE, MOBILE),
        legal=3,
        promised=1,
        version="3",
        guide="受理条件：企业名称、住所、法定代表人、注册资本、经营范围等登记事项发生变更。\n"
        "办理流程：网上或现场申请 → 审核 → 变更登记 → 换发营业执照。",
        materials=[
            m("《公司登记（备案）申请书》", FORM, form=BOTH, originals=1),
            m("依照法律和公司章程作出的变更决议或者决定", originals=1),
            m("营业执照正、副本", CERT, source=GOVERNMENT, originals=1, notes="变更后换发"),
            m("新住所使用证明", need=OPTIONAL, copies=1, notes="变更住所的提供"),
            m(
                "修改后的公司章程或者章程修正案",
                need=OPTIONAL,
                originals=1,
                notes="涉及章程修改的提供",
            ),
        ],
    ),
    Spec(
        APPROVAL,
        "000141005001",
        "企业注销登记（简易注销）",
        "01",
        (ENTERPRISE,),
        (C,),
        (SITE, ONLINE, MOBILE),
        legal=3,
        promised=1,
        version="2",
        guide="受理条件：未发生债权债务或已将债权债务清偿完结，经国家企业信用信息公示系统公示 20 日无异议。\n"
        "办理流程：公示 → 公示期满后申请 → 审核 → 注销登记。",
        materials=[
            m("《注销登记申请书》", FORM, form=BOTH, originals=1),
            m("《全体投资人承诺书》", FORM, originals=1, notes="公示期满后提交"),
            m(
                "清税证明",
                CERT,
                form=ELECTRONIC,
                source=GOVERNMENT,
                notes="税务部门通过信息共享推送，免提交",
            ),
        ],
    ),
    Spec(
        POLICE,
        "000105101001",
        "新办企业印章刻制备案",
        "10",
        (ENTERPRISE,),
        (C,),
        (SITE, ONLINE, MOBILE),
        legal=1,
        promised=0,
        guide="受理条件：新设立企业申请刻制公章、财务专用章、发票专用章等印章。\n"
        "办理流程：企业设立时在“一窗通”平台同步申请 → 刻制单位制作 → 公安机关备案 → 与营业执照同步领取。"
        "新办企业首套印章由政府购买服务免费刻制。",
        materials=[
            licence(),
            id_card("法定代表人"),
            proxy(notes="经办人非法定代表人的提供，附经办人居民身份证"),
        ],
    ),
    # --- 投资项目 ------------------------------------------------------------------------------------
    Spec(
        APPROVAL,
        "000103001001",
        "企业投资项目备案",
        "10",
        (INVESTMENT,),
        (C,),
        (ONLINE, SITE),
        legal=1,
        promised=0,
        version="3",
        guide="受理条件：企业投资建设《政府核准的投资项目目录》以外的项目。\n"
        "办理流程：登录山东省投资项目在线审批监管平台填报项目信息（帮办代办员可协助填报）→ "
        "信息齐全的即时备案，生成项目代码 → 打印备案证明。",
        materials=[
            m(
                "项目备案信息表",
                FORM,
                form=ELECTRONIC,
                notes="在山东省投资项目在线审批监管平台在线填报",
                standard="项目名称、建设地点、建设规模和内容、总投资额等填写完整",
            ),
            licence(name="项目单位营业执照"),
            m(
                "项目单位对备案信息真实性负责的承诺书",
                FORM,
                form=ELECTRONIC,
                notes="平台在线签署",
            ),
        ],
    ),
    Spec(
        APPROVAL,
        "000103002001",
        "企业投资项目核准",
        "01",
        (INVESTMENT,),
        (C,),
        (ONLINE, SITE, BOOK),
        legal=20,
        promised=10,
        version="2",
        guide="受理条件：属于《政府核准的投资项目目录（山东省）》中由县级核准的项目。\n"
        "办理流程：在线审批监管平台申报 → 受理 → 委托评估（不计入时限）→ 核准决定。"
        "投资项目帮办代办分区提供“项目管家”全程帮办。",
        materials=[
            m("项目申请报告", form=BOTH, originals=1),
            m(
                "用地预审与选址意见书",
                CERT,
                form=BOTH,
                source=GOVERNMENT,
                copies=1,
                notes="不涉及新增用地的无需提供",
            ),
            m(
                "节能审查意见",
                source=GOVERNMENT,
                need=DEFERRABLE,
                copies=1,
                notes="可容缺后补，须签署《容缺受理承诺书》，作出核准决定前补齐",
            ),
            m("项目单位对申请材料真实性的承诺书", FORM, originals=1),
        ],
    ),
    Spec(
        NATURAL_RESOURCES,
        "000109001001",
        "建设项目用地预审与选址意见书核发",
        "01",
        (INVESTMENT,),
        (C,),
        (SITE, ONLINE),
        legal=20,
        promised=10,
        version="2",
        guide="受理条件：需审批、核准的建设项目在审批、核准前，以及备案项目需使用新增建设用地的。\n"
        "办理流程：申请 → 受理 → 审查（含现场踏勘）→ 核发用地预审与选址意见书。",
        materials=[
            m("《建设项目用地预审与选址申请表》", FORM, originals=1),
            m("建设项目用地预审与选址申请报告", originals=1),
            m(
                "项目建议书批复文件或项目备案（核准）文件",
                source=GOVERNMENT,
                form=BOTH,
                copies=1,
                notes="在线审批监管平台可共享的免提交",
            ),
            m("标注项目用地范围的土地利用现状图及国土空间规划图", originals=1),
        ],
    ),
    Spec(
        NATURAL_RESOURCES,
        "000109002001",
        "建设工程规划许可证核发",
        "01",
        (INVESTMENT,),
        (C,),
        (SITE, ONLINE),
        legal=20,
        promised=5,
        version="3",
        guide="受理条件：在城镇开发边界内进行建筑物、构筑物、道路、管线和其他工程建设。\n"
        "办理流程：申请 → 受理 → 设计方案审查 → 批前公示 → 核发建设工程规划许可证。",
        materials=[
            m("《建设工程规划许可申请表》", FORM, originals=1),
            m(
                "使用土地的有关证明文件",
                CERT,
                source=GOVERNMENT,
                form=BOTH,
                copies=1,
                notes="不动产权证书或国有建设用地使用权出让合同；" + E_LICENCE,
            ),
            m("建设工程设计方案", form=BOTH, originals=1, notes="含总平面图，同时提交电子文件"),
            licence(name="建设单位营业执照"),
        ],
    ),
    Spec(
        APPROVAL,
        "000134001001",
        "建筑工程施工许可证核发",
        "01",
        (INVESTMENT,),
        (C,),
        (SITE, ONLINE, MOBILE),
        legal=7,
        promised=3,
        version="4",
        guide="受理条件：工程投资额 100 万元以上或建筑面积 500 平方米以上的房屋建筑工程，已办理用地、"
        "规划手续，已确定施工企业，施工图设计文件已审查合格。\n"
        "办理流程：工程建设项目审批管理系统申报 → 受理 → 审查 → 核发施工许可证（电子证照）。",
        materials=[
            m("《建筑工程施工许可证申请表》", FORM, form=BOTH, originals=1),
            m(
                "建设工程规划许可证",
                CERT,
                source=GOVERNMENT,
                form=BOTH,
                copies=1,
                notes=E_LICENCE,
            ),
            m("施工合同及中标通知书", copies=1, notes="依法不需招标的提供直接发包说明"),
            m("施工图设计文件审查合格书", source=ELSEWHERE, form=BOTH, copies=1),
            m(
                "建设工程监理合同",
                need=DEFERRABLE,
                copies=1,
                notes="依法应当委托监理的工程提供；可容缺后补，须签署《容缺受理承诺书》",
            ),
            m("建设资金已经落实承诺书", FORM, originals=1),
        ],
    ),
    Spec(
        HOUSING,
        "000134002001",
        "特殊建设工程消防验收",
        "01",
        (INVESTMENT,),
        (C,),
        (SITE, ONLINE),
        legal=15,
        promised=10,
        version="2",
        guide="受理条件：特殊建设工程竣工验收后，建设单位申请消防验收。\n"
        "办理流程：申请 → 受理 → 现场评定 → 出具消防验收意见。",
        materials=[
            m("《特殊建设工程消防验收申请表》", FORM, originals=1),
            m("工程竣工验收报告", copies=1),
            m("涉及消防的建设工程竣工图纸", form=BOTH, originals=1),
        ],
    ),
    # --- 综合受理 ------------------------------------------------------------------------------------
    Spec(
        APPROVAL,
        "000171001001",
        "食品经营许可",
        "01",
        (COMPREHENSIVE,),
        (C,),
        (SITE, ONLINE, MOBILE),
        legal=10,
        promised=5,
        version="5",
        guide="受理条件：已取得营业执照，有与经营的食品品种、数量相适应的经营场所、设备设施和食品安全管理制度。"
        "仅销售预包装食品的，办理备案即可。\n办理流程：申请 → 受理 → 现场核查（需要时）→ 决定 → 发证。",
        materials=[
            m("《食品经营许可申请书》", FORM, form=BOTH, originals=1, notes=FREE_FORM),
            licence(),
            m("与食品经营相适应的主要设备设施、经营布局、操作流程等文件", originals=1),
            m(
                "食品安全自查、从业人员健康管理、进货查验记录等保证食品安全的规章制度目录",
                originals=1,
            ),
            m(
                "经营场所使用证明",
                need=DEFERRABLE,
                copies=1,
                notes="可容缺后补，须签署《容缺受理承诺书》，现场核查前补齐",
            ),
        ],
    ),
    Spec(
        APPROVAL,
        "000122001001",
        "公共场所卫生许可",
        "01",
        (COMPREHENSIVE,),
        (C,),
        (SITE, ONLINE, MOBILE),
        legal=20,
        promised=1,
        version="3",
        guide="受理条件：住宿、沐浴、美容美发等公共场所经营者，已取得营业执照。实行告知承诺制，"
        "申请人书面承诺符合条件的当场作出许可决定。\n办理流程：申请 → 签署告知承诺书 → 当场或次日发证 → 事后核查。",
        materials=[
            m("《公共场所卫生许可申请书》", FORM, originals=1, notes=FREE_FORM),
            m("《公共场所卫生许可告知承诺书》", FORM, originals=1, notes="现场签署"),
            licence(),
            m(
                "公共场所卫生检测或者评价报告",
                need=OPTIONAL,
                copies=1,
                notes="采用告知承诺方式办理的，许可前免于提交",
            ),
        ],
    ),
    Spec(
        APPROVAL,
        "000171002001",
        "药品零售企业经营许可",
        "01",
        (COMPREHENSIVE,),
        (C,),
        (SITE, ONLINE),
        legal=20,
        promised=10,
        version="2",
        guide="受理条件：有依法经过资格认定的药师或者其他药学技术人员，有与所经营药品相适应的营业场所、"
        "设备、仓储设施和卫生环境，有质量管理机构或者人员及规章制度。\n"
        "办理流程：申请 → 受理 → 现场检查 → 决定 → 发证。",
        materials=[
            m("《药品经营许可证申请表》", FORM, originals=1),
            licence(),
            m(
                "质量负责人、执业药师的身份证明、学历（职称）证明及执业药师注册证",
                CERT,
                copies=1,
                notes=CHECKED,
            ),
            m("经营场所、仓库平面布置图及房屋产权或者使用权证明", copies=1),
            m("药品质量管理制度文件目录", originals=1),
        ],
    ),
    Spec(
        CIVIL,
        "000107001001",
        "最低生活保障审核确认",
        "05",
        (COMPREHENSIVE,),
        (C, T, V),
        (SITE, ONLINE, HOME, BOOK),
        legal=30,
        promised=20,
        version="3",
        guide="受理条件：共同生活的家庭成员人均收入低于沂源县最低生活保障标准，且家庭财产状况符合规定。\n"
        "办理流程：向户籍所在地镇（街道）提出申请（可由村（社区）便民服务站帮办代办）→ "
        "入户调查、家庭经济状况核对 → 村（居）民主评议、公示 → 镇（街道）审核确认 → 发放低保金。"
        "行动不便的老年人、残疾人可预约上门受理。",
        materials=[
            m(
                "《最低生活保障申请书》",
                FORM,
                originals=1,
                notes="可由村（居）委会或帮办代办员协助填写，申请人签字",
            ),
            id_card("申请人及共同生活家庭成员", "居民身份证、户口簿", copies=1, notes=CHECKED),
            m(
                "《家庭经济状况核对授权书》",
                FORM,
                originals=1,
                notes="共同生活的成年家庭成员均须签字",
            ),
            m("《家庭经济状况声明书》", FORM, originals=1),
            m(
                "残疾人证、疾病诊断证明等特殊情况证明",
                need=OPTIONAL,
                copies=1,
                notes="家庭成员有残疾、重病等情况的提供",
            ),
            m(
                "家庭成员务工收入证明",
                need=DEFERRABLE,
                copies=1,
                notes="可容缺后补，入户调查前补齐",
            ),
        ],
    ),
    Spec(
        CIVIL,
        "000107002001",
        "特困人员救助供养审核确认",
        "05",
        (COMPREHENSIVE,),
        (C, T, V),
        (SITE, HOME, BOOK),
        legal=20,
        promised=15,
        version="2",
        guide="受理条件：无劳动能力、无生活来源，且无法定赡养、抚养、扶养义务人或者其法定义务人无履行义务能力的"
        "老年人、残疾人以及未满 18 周岁的未成年人。\n"
        "办理流程：申请 → 镇（街道）调查核实、生活自理能力评估 → 公示 → 县民政局确认 → 分散或集中供养。",
        materials=[
            m("《特困人员救助供养申请书》", FORM, originals=1, notes=FREE_FORM),
            id_card(what="居民身份证、户口簿", copies=1, notes=CHECKED),
            m("《家庭经济状况核对授权书》", FORM, originals=1),
            m(
                "残疾人证",
                CERT,
                form=BOTH,
                source=GOVERNMENT,
                need=OPTIONAL,
                copies=1,
                notes=f"因残疾申请的提供；{E_LICENCE}",
            ),
        ],
    ),
    Spec(
        CIVIL,
        "000107003001",
        "临时救助",
        "05",
        (COMPREHENSIVE,),
        (C, T, V),
        (SITE, MOBILE, HOME),
        legal=15,
        promised=5,
        version="2",
        guide="受理条件：因火灾、交通事故、突发重大疾病等原因导致基本生活暂时出现严重困难的家庭或个人。\n"
        "办理流程：向镇（街道）或县民政局申请 → 审核 → 审批 → 发放救助金或实物。"
        "情况紧急的，可先行救助，事后补齐手续。",
        materials=[
            m("《临时救助申请书》", FORM, originals=1, notes=FREE_FORM),
            id_card(what="居民身份证、户口簿", copies=1, notes=CHECKED),
            m("《家庭经济状况核对授权书》", FORM, originals=1),
            m(
                "遭遇突发事件、意外伤害、重大疾病等困难情况的证明材料",
                need=DEFERRABLE,
                copies=1,
                notes="如医疗费用票据、事故证明；急难型救助可先行救助，容缺后补",
            ),
        ],
    ),
    Spec(
        CIVIL,
        "000107004001",
        "高龄津贴申领",
        "05",
        (COMPREHENSIVE,),
        (C, T, V),
        (SITE, MOBILE, HOME),
        legal=20,
        promised=10,
        version="2",
        guide="受理条件：具有沂源县户籍、年满 80 周岁的老年人。\n"
        "办理流程：本人或亲属向村（社区）便民服务站或镇（街道）便民服务中心申请，也可通过“爱山东”APP申请 → "
        "镇（街道）审核 → 县民政局审批 → 次月起按月发放至社会保障卡。行动不便的老年人可预约上门办理。",
        materials=[
            id_card("老年人", "居民身份证或户口簿", notes=CHECKED),
            m("《沂源县高龄津贴申请表》", FORM, originals=1, notes="村（社区）便民服务站免费提供"),
            m(
                "本人社会保障卡或银行账户",
                CERT,
                copies=1,
                notes="用于津贴发放，优先使用社会保障卡金融账户",
            ),
            proxy(notes="由亲属或帮办代办员代为申请的提供，附代办人居民身份证"),
        ],
    ),
    Spec(
        CIVIL,
        "000107005001",
        "困难残疾人生活补贴和重度残疾人护理补贴申领",
        "05",
        (COMPREHENSIVE,),
        (C, T, V),
        (SITE, ONLINE, MOBILE, HOME),
        legal=20,
        promised=15,
        version="3",
        guide="受理条件：生活补贴：低保家庭中的残疾人；护理补贴：残疾等级为一级、二级且需要长期照护的重度残疾人。\n"
        "办理流程：通过“爱山东”APP或到镇（街道）、村（社区）申请 → 镇（街道）审核 → 县残联复核 → "
        "县民政局审定 → 按月发放。",
        materials=[
            m("《残疾人两项补贴申请审批表》", FORM, originals=1, notes=FREE_FORM),
            m(
                "第二代中华人民共和国残疾人证",
                CERT,
                form=BOTH,
                source=GOVERNMENT,
                originals=1,
                notes=f"{CHECKED}；{E_LICENCE}",
            ),
            id_card(what="居民身份证或户口簿", originals=0, copies=1, notes=""),
            m(
                "最低生活保障证明",
                source=GOVERNMENT,
                form=ELECTRONIC,
                need=OPTIONAL,
                notes="申请生活补贴的，由民政部门系统核验，免提交",
            ),
        ],
    ),
    Spec(
        DISABLED,
        "000150001001",
        "残疾人证新办",
        "20",
        (COMPREHENSIVE,),
        (C, T, V),
        (SITE, ONLINE, MOBILE, HOME),
        legal=30,
        promised=20,
        version="3",
        guide="受理条件：符合残疾标准的视力、听力、言语、肢体、智力、精神及多重残疾人。\n"
        "办理流程：申请（可在“爱山东”APP在线申请，或由村（社区）便民服务站帮办代办）→ "
        "到指定医院评残（重度残疾人可申请上门评残）→ 县残联审核 → 制证发证。",
        materials=[
            id_card(what="居民身份证或户口簿", notes=CHECKED),
            m(
                "《中华人民共和国残疾人证申请表》",
                FORM,
                form=BOTH,
                originals=1,
                notes="可在“爱山东”APP在线填报，也可窗口领取",
            ),
            m("近期二寸白底免冠彩色照片", originals=3),
            m(
                "既往病历、诊断证明",
                need=OPTIONAL,
                copies=1,
                notes="有既往就诊记录的提供，便于评定",
            ),
            m(
                "监护人或代理人居民身份证",
                CERT,
                need=OPTIONAL,
                copies=1,
                notes="智力、精神残疾人或未成年人由监护人代为申请时提供",
            ),
        ],
    ),
    Spec(
        DISABLED,
        "000150002001",
        "残疾人证换领",
        "20",
        (COMPREHENSIVE,),
        (C, T, V),
        (SITE, ONLINE, MOBILE),
        legal=20,
        promised=10,
        version="2",
        guide="受理条件：残疾人证有效期满、跨县迁移或损毁需换领的。\n"
        "办理流程：申请 → 审核（有效期满的需重新评定）→ 换发新证，收回旧证。",
        materials=[
            m("原残疾人证", CERT, source=GOVERNMENT, originals=1, notes="换发时收回"),
            id_card(what="居民身份证或户口簿", notes=CHECKED),
            m("近期二寸白底免冠彩色照片", originals=2),
        ],
    ),
    Spec(
        REAL_ESTATE,
        "000109101001",
        "不动产转移登记（存量房买卖）",
        "07",
        (COMPREHENSIVE,),
        (C,),
        (SITE, ONLINE, BOOK),
        legal=30,
        promised=3,
        version="4",
        fee_charged=True,
        fee_note=ESTATE_FEE,
        guide="受理条件：已办理不动产首次登记的房屋因买卖发生权属转移。\n"
        "办理流程：“一窗受理”（不动产登记、交易、税务同窗受理）→ 缴纳税费 → 审核登簿 → 缴纳登记费 → "
        "领取不动产权证书（可邮寄）。",
        materials=[
            m("《不动产登记申请书》", FORM, originals=1, notes=FREE_FORM),
            id_card("买卖双方", copies=1),
            m("不动产权证书", CERT, source=GOVERNMENT, originals=1, notes="原证收回"),
            m("存量房买卖合同", originals=1, notes="已通过网签备案的免提交纸质合同"),
            m(
                "契税等税费完税凭证",
                source=GOVERNMENT,
                form=ELECTRONIC,
                notes="税务部门“一窗受理”同步推送，免提交",
            ),
            m(
                "婚姻状况证明",
                CERT,
                need=OPTIONAL,
                copies=1,
                notes="已婚的提供结婚证；不动产为夫妻共有的，双方共同申请",
            ),
        ],
    ),
    Spec(
        REAL_ESTATE,
        "000109102001",
        "国有建设用地使用权及房屋所有权首次登记",
        "07",
        (COMPREHENSIVE,),
        (C,),
        (SITE, ONLINE, BOOK),
        legal=30,
        promised=5,
        version="3",
        fee_charged=True,
        fee_note=ESTATE_FEE,
        guide="受理条件：依法取得国有建设用地使用权，房屋已竣工且符合规划。\n"
        "办理流程：申请 → 受理 → 审核（含实地查看）→ 登簿 → 发证。",
        materials=[
            m("《不动产登记申请书》", FORM, originals=1),
            licence(
                name="申请人身份证明或营业执照", form=BOTH, copies=1, notes="自然人提供居民身份证"
            ),
            m("不动产权证书（国有建设用地使用权）", CERT, source=GOVERNMENT, originals=1),
            m("建设工程符合规划的材料", source=GOVERNMENT, copies=1, notes="规划条件核实证明"),
            m("房屋已经竣工的材料", copies=1, notes="竣工验收备案证明"),
            m("房屋测绘报告", source=ELSEWHERE, originals=1),
        ],
    ),
    Spec(
        REAL_ESTATE,
        "000109103001",
        "不动产抵押登记（一般抵押权首次登记）",
        "07",
        (COMPREHENSIVE,),
        (C, P),
        (SITE, ONLINE),
        legal=30,
        promised=1,
        version="3",
        fee_charged=True,
        fee_note=MORTGAGE_FEE,
        guide="受理条件：以不动产设定抵押担保。合作银行网点可延伸受理（“不动产登记+金融”）。\n"
        "办理流程：抵押双方共同申请 → 受理 → 审核 → 登簿 → 核发不动产登记证明（电子证明推送至银行）。",
        materials=[
            m("《不动产登记申请书》", FORM, originals=1),
            id_card("抵押人", copies=1),
            m("抵押权人营业执照及授权委托书", copies=1, notes="银行网点办理的由银行提供"),
            m("不动产权证书", CERT, source=GOVERNMENT, originals=1, notes=CHECKED),
            m("主债权合同", originals=1),
            m("抵押合同", originals=1),
        ],
    ),
    Spec(
        REAL_ESTATE,
        "000109104001",
        "宅基地使用权及房屋所有权首次登记",
        "07",
        (COMPREHENSIVE,),
        (C, T, V),
        (SITE, BOOK, HOME),
        legal=30,
        promised=10,
        version="2",
        fee_note="农村集体经济组织成员申请宅基地使用权及房屋所有权首次登记，免收不动产登记费（财税〔2016〕79号）。",
        guide="受理条件：依法取得宅基地使用权、房屋已建成的农村村民。\n"
        "办理流程：向镇（街道）便民服务中心申请，村（社区）便民服务站可帮办代办 → 权籍调查 → "
        "村内公告（不少于 15 个工作日）→ 审核登簿 → 发证。",
        materials=[
            m("《不动产登记申请书》", FORM, originals=1, notes="村（社区）便民服务站免费提供"),
            id_card(what="居民身份证、户口簿", copies=1, notes=CHECKED),
            m("《农村宅基地批准书》或其他宅基地批准文件", source=GOVERNMENT, copies=1),
            m(
                "房屋符合规划或者建设的相关材料",
                source=GOVERNMENT,
                copies=1,
                notes="乡村建设规划许可证等；历史形成的由村（居）委会出具证明",
            ),
            m("权籍调查成果", source=ELSEWHERE, originals=1, notes="由不动产登记机构组织调查形成"),
            m("村（居）委会出具的公告材料", originals=1),
        ],
    ),
    Spec(
        HOUSING,
        "000134101001",
        "公共租赁住房保障资格审核",
        "07",
        (COMPREHENSIVE,),
        (C, T),
        (SITE, ONLINE),
        legal=30,
        promised=20,
        version="2",
        guide="受理条件：城镇住房、收入困难家庭，新就业无房职工和在县城稳定就业的外来务工人员。\n"
        "办理流程：向街道便民服务中心申请 → 街道初审、公示 → 县住房和城乡建设局复核 → 公示 → 轮候配租。",
        materials=[
            m("《公共租赁住房申请表》", FORM, originals=1, notes=FREE_FORM),
            id_card("申请人及家庭成员", "居民身份证、户口簿", copies=1, notes=CHECKED),
            m("《家庭经济状况核对授权书》", FORM, originals=1),
            m("住房情况声明", FORM, originals=1),
            m(
                "家庭成员收入证明",
                need=DEFERRABLE,
                copies=1,
                notes="可容缺后补，复核前补齐",
            ),
        ],
    ),
    # --- 人社 ----------------------------------------------------------------------------------------
    Spec(
        HRSS,
        "000113001001",
        "城乡居民基本养老保险参保登记",
        "20",
        (HR,),
        (C, T, V),
        (SITE, ONLINE, MOBILE, HOME),
        legal=5,
        promised=0,
        version="3",
        guide="受理条件：年满 16 周岁（不含在校学生），非国家机关和事业单位工作人员及不属于职工基本养老保险覆盖范围的"
        "城乡居民。\n办理流程：村（社区）便民服务站、镇（街道）便民服务中心或“爱山东”APP申请 → 即时登记 → "
        "选择缴费档次，通过税务渠道缴费。",
        materials=[
            id_card("参保人", "居民身份证或户口簿"),
            m(
                "《城乡居民基本养老保险参保登记表》",
                FORM,
                originals=1,
                notes="村（社区）便民服务站免费提供，可现场填写",
            ),
            m(
                "特殊群体身份证明",
                need=OPTIONAL,
                copies=1,
                notes="低保对象、特困人员、重度残疾人等享受政府代缴的提供；部门数据共享可核验的免提交",
            ),
        ],
    ),
    Spec(
        HRSS,
        "000113002001",
        "城乡居民基本养老保险待遇申领",
        "05",
        (HR,),
        (C, T, V),
        (SITE, MOBILE, HOME),
        legal=20,
        promised=10,
        version="3",
        guide="受理条件：年满 60 周岁、累计缴费满 15 年且未领取国家规定的基本养老保障待遇的参保人。\n"
        "办理流程：村（社区）便民服务站或镇（街道）便民服务中心申请（行动不便的可预约上门）→ 审核 → "
        "次月起按月发放至社会保障卡。",
        materials=[
            id_card(what="居民身份证或户口簿", notes=CHECKED),
            m("《城乡居民基本养老保险待遇申领表》", FORM, originals=1, notes=FREE_FORM),
            m(
                "社会保障卡",
                CERT,
                source=GOVERNMENT,
                originals=1,
                notes="待遇发放至社会保障卡金融账户；" + CHECKED,
            ),
        ],
    ),
    Spec(
        HRSS,
        "000113003001",
        "领取养老保险待遇资格认证",
        "20",
        (HR,),
        (C, T, V, P),
        (MOBILE, SITE, HOME, KIOSK),
        legal=0,
        promised=0,
        version="2",
        guide="受理条件：按月领取养老保险待遇的人员，每 12 个月认证一次。\n"
        "办理流程：通过“爱山东”APP、“掌上12333”人脸识别自助认证；不会使用手机的可到村（社区）便民服务站、"
        "合作银行网点由帮办代办员协助认证；卧床、失能人员可预约上门认证。",
        materials=[
            id_card(
                "待遇领取人",
                notes="现场认证时核验；通过手机人脸识别认证的无需提交材料",
            ),
        ],
    ),
    Spec(
        HRSS,
        "000113004001",
        "社会保障卡申领",
        "20",
        (HR,),
        (C, T, V, P),
        (SITE, ONLINE, MOBILE),
        legal=20,
        promised=0,
        version="4",
        guide="受理条件：参加社会保险的人员，尚未持有社会保障卡或需申领第三代社会保障卡。\n"
        "办理流程：到人社分区、合作银行网点即时制卡，当场领卡；也可通过“爱山东”APP、“山东社保”申请邮寄；"
        "村（社区）便民服务站可受理并集中转递。",
        materials=[
            id_card(),
            m(
                "近期免冠彩色照片",
                form=ELECTRONIC,
                need=OPTIONAL,
                notes="可调取居民身份证照片或现场免费采集，无需自备",
            ),
            m(
                "监护人居民身份证及户口簿",
                CERT,
                need=OPTIONAL,
                originals=1,
                notes="16 周岁以下人员由监护人代为申领时提供",
            ),
        ],
    ),
    Spec(
        HRSS,
        "000113005001",
        "社会保障卡补换",
        "20",
        (HR,),
        (C, T, V, P),
        (SITE, MOBILE),
        legal=20,
        promised=0,
        version="3",
        guide="受理条件：社会保障卡丢失、损坏或需换领的持卡人。丢失的先通过电话 12333、“爱山东”APP或窗口办理挂失。\n"
        "办理流程：挂失（丢失的）→ 申请补换 → 合作银行网点或人社分区即时制卡。",
        materials=[
            id_card(),
            m(
                "原社会保障卡",
                CERT,
                source=GOVERNMENT,
                need=OPTIONAL,
                originals=1,
                notes="换卡的交回原卡；丢失补卡的无需提供",
            ),
        ],
    ),
    Spec(
        HRSS,
        "000113006001",
        "失业保险金申领",
        "05",
        (HR,),
        (C, T),
        (ONLINE, MOBILE, SITE),
        legal=10,
        promised=5,
        unit=NATURAL,
        version="3",
        guide="受理条件：失业前用人单位和本人已按规定缴纳失业保险费满 1 年，非因本人意愿中断就业，已办理失业登记"
        "并有求职要求。\n办理流程：“爱山东”APP、山东省人社网上服务大厅或现场申领 → 审核（10 日内）→ "
        "按月发放至社会保障卡。",
        materials=[
            id_card(),
            m("社会保障卡或本人银行卡", CERT, copies=1, notes="用于失业保险金发放"),
            m(
                "解除或者终止劳动关系的证明",
                need=DEFERRABLE,
                copies=1,
                notes="用人单位已通过系统办理减员的免提交；暂未取得的可容缺后补",
            ),
        ],
    ),
    Spec(
        HRSS,
        "000113007001",
        "就业创业证申领（就业失业登记）",
        "20",
        (HR,),
        (C, T, V),
        (SITE, ONLINE, MOBILE),
        legal=0,
        promised=0,
        version="2",
        guide="受理条件：法定劳动年龄内、有劳动能力和就业要求的城乡劳动者。\n"
        "办理流程：现场或网上申请 → 即时登记 → 发放《就业创业证》（电子证）。",
        materials=[
            id_card(),
            m("《就业失业登记表》", FORM, originals=1, notes=FREE_FORM),
            m(
                "毕业证书",
                CERT,
                form=BOTH,
                need=OPTIONAL,
                copies=1,
                notes="高校毕业生提供；学信网可查的免提交",
            ),
        ],
    ),
    Spec(
        HRSS,
        "000113008001",
        "灵活就业人员企业职工基本养老保险参保登记",
        "20",
        (HR,),
        (C, T),
        (SITE, ONLINE, MOBILE),
        legal=5,
        promised=0,
        guide="受理条件：年满 16 周岁的个体工商户和灵活就业人员。\n"
        "办理流程：申请 → 即时登记 → 签订缴费协议，通过税务渠道按月缴费。",
        materials=[
            id_card(),
            m("《灵活就业人员参保登记表》", FORM, originals=1, notes=FREE_FORM),
            m("社会保障卡或银行账户信息", CERT, copies=1, notes="用于签订委托扣款协议"),
        ],
    ),
    # --- 医保 ----------------------------------------------------------------------------------------
    Spec(
        MEDICAL,
        "000172007000",
        "城乡居民基本医疗保险参保登记",
        "20",
        (MEDICAL_INSURANCE,),
        (C, T, V),
        (SITE, ONLINE, MOBILE),
        legal=5,
        promised=0,
        version="3",
        guide="受理条件：未参加职工基本医疗保险的本县户籍居民、持居住证的常住人员、在校学生和新生儿。\n"
        "办理流程：村（社区）便民服务站、镇（街道）便民服务中心或“爱山东”APP办理参保登记 → 通过税务渠道缴费。"
        "新生儿可随“出生一件事”一次办理。",
        materials=[
            id_card("参保人", "居民身份证或户口簿"),
            m("《城乡居民基本医疗保险参保登记表》", FORM, originals=1, notes=FREE_FORM),
            m(
                "特殊人群身份证明",
                need=OPTIONAL,
                copies=1,
                notes="低保、特困、重度残疾等人员提供；部门数据共享可核验的免提交",
            ),
            m(
                "《出生医学证明》",
                CERT,
                form=BOTH,
                source=GOVERNMENT,
                need=OPTIONAL,
                copies=1,
                notes=f"新生儿参保提供；{E_LICENCE}",
            ),
        ],
    ),
    Spec(
        MEDICAL,
        "000172008000",
        "异地就医备案（异地长期居住人员）",
        "20",
        (MEDICAL_INSURANCE,),
        (C, T),
        (MOBILE, ONLINE, SITE),
        legal=1,
        promised=0,
        version="4",
        guide="受理条件：参保人异地长期居住（异地安置退休、异地长期居住、常驻异地工作）。\n"
        "办理流程：通过国家医保服务平台APP、“爱山东”APP自助备案，即时生效；不会使用手机的可到医保分区或"
        "镇（街道）便民服务中心由帮办代办员协助办理。",
        suffix=1,
        materials=[
            id_card("参保人", "居民身份证或社会保障卡", notes="通过手机办理的无需提交"),
            m(
                "《跨省异地就医备案表》",
                FORM,
                form=BOTH,
                originals=1,
                notes="通过手机办理的在线填写",
            ),
            m(
                "《异地长期居住人员个人承诺书》",
                FORM,
                form=BOTH,
                originals=1,
                notes="可代替居住证明",
            ),
        ],
    ),
    Spec(
        MEDICAL,
        "000172008000",
        "异地就医备案（异地转诊人员）",
        "20",
        (MEDICAL_INSURANCE,),
        (C, T),
        (MOBILE, ONLINE, SITE),
        legal=1,
        promised=0,
        version="4",
        guide="受理条件：经本县二级及以上定点医疗机构诊断需转往异地就医的参保人。\n"
        "办理流程：手机或窗口申请 → 即时备案。",
        suffix=2,
        materials=[
            id_card("参保人", "居民身份证或社会保障卡", notes="通过手机办理的无需提交"),
            m(
                "《跨省异地就医备案表》",
                FORM,
                form=BOTH,
                originals=1,
                notes="通过手机办理的在线填写",
            ),
            m(
                "转诊转院证明",
                source=ELSEWHERE,
                form=BOTH,
                originals=1,
                notes="由本县二级及以上定点医疗机构出具",
            ),
        ],
    ),
    Spec(
        MEDICAL,
        "000172009000",
        "门诊慢特病待遇认定",
        "07",
        (MEDICAL_INSURANCE,),
        (C, T),
        (SITE, ONLINE, MOBILE),
        legal=30,
        promised=15,
        version="3",
        guide="受理条件：患有门诊慢特病病种目录内疾病的参保人。\n"
        "办理流程：申请 → 定点医疗机构或专家评审 → 认定 → 待遇享受。",
        materials=[
            id_card("参保人", "居民身份证或社会保障卡", notes=CHECKED),
            m("《门诊慢特病待遇认定申请表》", FORM, originals=1, notes=FREE_FORM),
            m(
                "近期病历、诊断证明及相关检查报告",
                source=ELSEWHERE,
                copies=1,
                notes="由二级及以上医疗机构出具",
            ),
            m(
                "住院病案首页、出院记录",
                source=ELSEWHERE,
                need=DEFERRABLE,
                copies=1,
                notes="有住院史的提供；可容缺后补，评审前补齐",
            ),
        ],
    ),
    Spec(
        MEDICAL,
        "000172010000",
        "零星医疗费用报销",
        "05",
        (MEDICAL_INSURANCE,),
        (C, T),
        (SITE, ONLINE, MOBILE),
        legal=30,
        promised=20,
        version="2",
        guide="受理条件：因急诊、未备案异地就医等原因未能直接结算的参保人。\n"
        "办理流程：提交材料 → 审核 → 核算 → 拨付至本人社会保障卡或银行账户。",
        materials=[
            id_card("参保人", "居民身份证或社会保障卡", notes=CHECKED),
            m("医疗费用票据", originals=1, notes="须为原始票据"),
            m("医疗费用明细清单", originals=1),
            m("出院记录", need=OPTIONAL, copies=1, notes="住院的提供"),
            m("本人银行卡", CERT, need=OPTIONAL, copies=1, notes="不发放至社会保障卡的提供"),
        ],
    ),
    Spec(
        MEDICAL,
        "000172011000",
        "生育医疗费用及生育津贴申领",
        "05",
        (MEDICAL_INSURANCE,),
        (C,),
        (SITE, ONLINE, MOBILE),
        legal=30,
        promised=10,
        version="2",
        guide="受理条件：参加职工基本医疗保险（生育保险）的职工生育或实施计划生育手术。\n"
        "办理流程：用人单位或个人申请 → 审核 → 拨付生育津贴。",
        materials=[
            id_card(),
            m(
                "《出生医学证明》",
                CERT,
                form=BOTH,
                source=GOVERNMENT,
                copies=1,
                notes=E_LICENCE,
            ),
            m(
                "医疗费用票据及明细",
                need=OPTIONAL,
                originals=1,
                notes="异地分娩未直接结算的提供",
            ),
        ],
    ),
    # --- 公安 ----------------------------------------------------------------------------------------
    Spec(
        POLICE,
        "000105001001",
        "居民身份证换领",
        "07",
        (PUBLIC_SECURITY,),
        (C,),
        (SITE, BOOK, HOME, MOBILE),
        legal=60,
        promised=20,
        unit=NATURAL,
        version="3",
        fee_note=ID_FEE,
        guide="受理条件：居民身份证有效期满、登记项目变更或证件损坏的本县户籍居民。"
        "70 周岁以上老年人、残疾人等行动不便的可预约上门采集。\n"
        "办理流程：现场采集人像、指纹 → 受理 → 制证 → 领取（可选择邮寄）。",
        materials=[
            m("本人居民身份证", CERT, source=GOVERNMENT, originals=1, notes="换领时收回"),
            m("居民户口簿", CERT, source=GOVERNMENT, originals=1, notes=CHECKED),
            m(
                "本人近期免冠彩色照片",
                form=ELECTRONIC,
                need=OPTIONAL,
                notes="窗口现场免费采集，也可使用经认证的照相馆回执",
            ),
        ],
        fee_charged=True,
    ),
    Spec(
        POLICE,
        "000105001001",
        "居民身份证补领（丢失补领）",
        "07",
        (PUBLIC_SECURITY,),
        (C,),
        (SITE, BOOK, HOME),
        legal=60,
        promised=20,
        unit=NATURAL,
        suffix=2,
        version="3",
        fee_charged=True,
        fee_note=ID_FEE,
        guide="受理条件：居民身份证丢失的本县户籍居民。可同时申领临时居民身份证。\n"
        "办理流程：现场采集人像、指纹 → 受理 → 原证件作废 → 制证 → 领取（可选择邮寄）。",
        materials=[
            m("居民户口簿", CERT, source=GOVERNMENT, originals=1, notes=CHECKED),
            m(
                "本人近期免冠彩色照片",
                form=ELECTRONIC,
                need=OPTIONAL,
                notes="窗口现场免费采集",
            ),
        ],
    ),
    Spec(
        POLICE,
        "000105002001",
        "户口迁移（省内迁移）",
        "07",
        (PUBLIC_SECURITY,),
        (C,),
        (SITE, ONLINE, MOBILE, BOOK),
        legal=20,
        promised=3,
        version="4",
        guide="受理条件：在山东省内因购房、投靠亲属、就业等原因迁移户口。实行“一站式”迁移，迁入地直接办理，"
        "无需回迁出地开具准迁证明。\n办理流程：向迁入地申请 → 审核 → 办理迁入，同步迁出 → 换发户口簿。",
        materials=[
            m("《户口迁移申请表》", FORM, originals=1, notes=FREE_FORM),
            id_card("迁移人员", "居民身份证、居民户口簿", notes=CHECKED),
            m(
                "迁入地合法稳定住所证明",
                CERT,
                copies=1,
                notes="不动产权证书或购房合同；投靠亲属落户的提供被投靠人户口簿",
            ),
            m(
                "亲属关系证明",
                CERT,
                form=BOTH,
                need=OPTIONAL,
                copies=1,
                notes=f"投靠类迁移提供结婚证、出生医学证明等；{E_LICENCE}",
            ),
        ],
    ),
    Spec(
        POLICE,
        "000105003001",
        "出生登记",
        "07",
        (PUBLIC_SECURITY,),
        (C,),
        (SITE, ONLINE, MOBILE),
        legal=1,
        promised=0,
        version="3",
        guide="受理条件：本县户籍居民新出生的婴儿，随父或随母落户。可通过“出生一件事”一次办理出生登记、"
        "医保参保、社会保障卡申领。\n办理流程：网上或现场申请 → 审核 → 即时落户 → 户口簿增页。",
        materials=[
            m(
                "《出生医学证明》",
                CERT,
                form=BOTH,
                source=ELSEWHERE,
                originals=1,
                notes="助产机构签发；可通过电子证照核验",
            ),
            id_card("父母双方", "居民身份证、居民户口簿", notes=CHECKED),
            m(
                "父母结婚证",
                CERT,
                form=BOTH,
                source=GOVERNMENT,
                need=OPTIONAL,
                copies=1,
                notes=f"非婚生育的无需提供；{E_LICENCE}",
            ),
        ],
    ),
    Spec(
        POLICE,
        "000105004001",
        "无犯罪记录证明开具",
        "20",
        (PUBLIC_SECURITY,),
        (C,),
        (SITE, ONLINE, MOBILE),
        legal=3,
        promised=1,
        version="2",
        guide="受理条件：本县户籍或在本县居住的居民因就业、出国等需要开具。\n"
        "办理流程：“爱山东”APP、公安政务服务平台或现场申请 → 核查 → 出具证明（可下载电子证明）。",
        materials=[
            id_card(),
            m(
                "《无犯罪记录证明申请表》",
                FORM,
                form=BOTH,
                originals=1,
                notes="网上申请的在线填写",
            ),
            proxy(),
        ],
    ),
    # --- 税务 ----------------------------------------------------------------------------------------
    Spec(
        TAX,
        "000123001001",
        "增值税专用发票领用",
        "10",
        (TAXES,),
        (C,),
        (ONLINE, MOBILE, KIOSK, SITE),
        legal=0,
        promised=0,
        version="3",
        guide="受理条件：已办理税务信息确认、登记为一般纳税人或自愿使用增值税专用发票的小规模纳税人。\n"
        "办理流程：通过山东省电子税务局或自助办税终端申领（即办），使用数电发票的按授信额度开具；"
        "需纸质发票的可选择邮寄或自助终端领取。",
        materials=[
            id_card(
                "经办人",
                notes="现场办理的核验后退还；通过电子税务局办理的实名认证后免提交",
            ),
            m(
                "税务UKey",
                need=OPTIONAL,
                originals=1,
                notes="领用纸质发票需要；使用全面数字化的电子发票（数电票）的无需提供",
            ),
        ],
    ),
    Spec(
        TAX,
        "000123002001",
        "增值税专用发票（增值税税控系统）最高开票限额审批",
        "01",
        (TAXES,),
        (C,),
        (ONLINE, SITE),
        legal=20,
        promised=1,
        version="3",
        guide="受理条件：需要使用增值税专用发票的纳税人申请或调整最高开票限额。申请限额 10 万元及以下的即时办结。\n"
        "办理流程：电子税务局或办税服务厅申请 → 审核（需要时实地查验）→ 决定。",
        materials=[
            m("《增值税专用发票最高开票限额申请单》", FORM, form=BOTH, originals=1),
            id_card("经办人", notes="现场办理的核验后退还"),
        ],
    ),
    Spec(
        TAX,
        "000123003001",
        "代开增值税发票（自然人）",
        "20",
        (TAXES,),
        (C, T),
        (SITE, MOBILE, ONLINE, KIOSK),
        legal=0,
        promised=0,
        version="2",
        guide="受理条件：自然人发生应税行为需要开具发票。\n"
        "办理流程：通过电子税务局、“爱山东”APP或自助终端申请 → 缴纳税款 → 即时开具。"
        "镇（街道）便民服务中心设委托代征点的可就近办理。",
        materials=[
            id_card(),
            m(
                "《代开增值税发票缴纳税款申报单》",
                FORM,
                form=BOTH,
                originals=1,
                notes="可在电子税务局或自助终端在线填写",
            ),
            m("书面合同或收款证明", need=OPTIONAL, copies=1, notes="税务机关需要核实时提供"),
        ],
    ),
    Spec(
        TAX,
        "000123004001",
        "城乡居民基本医疗保险费缴纳",
        "20",
        (TAXES,),
        (C, T, V, P),
        (MOBILE, ONLINE, SITE),
        legal=0,
        promised=0,
        version="2",
        guide="受理条件：已办理城乡居民基本医疗保险参保登记的居民，在集中征收期内缴纳下一年度保费。\n"
        "办理流程：通过“爱山东”APP、“山东税务社保缴费”微信小程序、银行APP缴费，或到村（社区）便民服务站、"
        "合作银行网点由帮办代办员协助缴费 → 即时到账。",
        materials=[
            id_card(
                "缴费人",
                notes="仅用于核对身份，现场核验后退还；通过手机缴费的无需提交",
            ),
        ],
    ),
    Spec(
        TAX,
        "000123005001",
        "个人所得税综合所得年度汇算",
        "20",
        (TAXES,),
        (C,),
        (MOBILE, ONLINE, SITE, BOOK),
        legal=0,
        promised=0,
        version="2",
        guide="受理条件：取得综合所得、需要补税或申请退税的居民个人，于次年 3 月 1 日至 6 月 30 日办理。\n"
        "办理流程：通过个人所得税APP或自然人电子税务局申报；不会操作的可到税务分区由帮办代办员协助申报。",
        materials=[
            id_card("纳税人"),
            m(
                "专项附加扣除相关资料",
                form=ELECTRONIC,
                need=OPTIONAL,
                notes="在个人所得税APP填报，相关资料由纳税人留存备查",
            ),
            m(
                "本人境内银行账户",
                form=ELECTRONIC,
                need=OPTIONAL,
                notes="申请退税的在APP中填报",
            ),
        ],
    ),
    # --- 住房公积金 ------------------------------------------------------------------------------------
    Spec(
        FUND,
        "000135001001",
        "住房公积金提取（退休）",
        "20",
        (PROVIDENT_FUND,),
        (C, P),
        (SITE, ONLINE, MOBILE),
        legal=3,
        promised=0,
        unit=NATURAL,
        version="3",
        guide="受理条件：缴存职工达到法定退休年龄并办理退休手续。\n"
        "办理流程：通过“爱山东”APP、淄博住房公积金网上服务大厅或到公积金分区、受委托银行网点申请 → "
        "即时审核 → 资金转入本人银行账户，同时销户。",
        suffix=1,
        materials=[
            id_card(),
            m(
                "本人银行借记卡",
                CERT,
                originals=1,
                notes="Ⅰ类账户；" + CHECKED,
            ),
            m(
                "退休证明",
                source=GOVERNMENT,
                form=BOTH,
                copies=1,
                notes="人社部门数据共享可核验的免提交；核验不到的提供退休证或退休审批表",
            ),
        ],
    ),
    Spec(
        FUND,
        "000135001001",
        "住房公积金提取（购买自住住房）",
        "20",
        (PROVIDENT_FUND,),
        (C, P),
        (SITE, ONLINE, MOBILE),
        legal=3,
        promised=0,
        unit=NATURAL,
        version="3",
        guide="受理条件：职工及配偶在本市购买自住住房（新建商品房、二手房），自购房之日起两年内申请。\n"
        "办理流程：网上或现场申请 → 审核 → 资金转入本人银行账户。",
        suffix=2,
        materials=[
            id_card("本人及配偶"),
            m(
                "购房合同",
                copies=1,
                notes="新建商品房已网签备案的，数据共享核验后免提交",
            ),
            m("购房发票或契税完税凭证", copies=1),
            m(
                "结婚证",
                CERT,
                form=BOTH,
                source=GOVERNMENT,
                need=OPTIONAL,
                copies=1,
                notes=f"配偶共同提取的提供；{E_LICENCE}",
            ),
            m("本人银行借记卡", CERT, originals=1, notes=CHECKED),
        ],
    ),
    Spec(
        FUND,
        "000135002001",
        "住房公积金个人住房贷款",
        "20",
        (PROVIDENT_FUND,),
        (C, P),
        (SITE, ONLINE, BOOK),
        legal=15,
        promised=7,
        unit=NATURAL,
        version="4",
        guide="受理条件：连续足额缴存住房公积金 6 个月以上，购买、建造、翻建、大修自住住房。\n"
        "办理流程：申请 → 面签 → 审批（15 日内）→ 签订借款合同 → 办理抵押登记 → 放款。",
        materials=[
            id_card("借款人及配偶", copies=1),
            m(
                "婚姻状况证明",
                CERT,
                form=BOTH,
                source=GOVERNMENT,
                copies=1,
                notes=f"已婚的提供结婚证，未婚的提供声明；{E_LICENCE}",
            ),
            m("购房合同", originals=1),
            m("首付款证明", copies=1, notes="首付款发票或收据"),
            m(
                "借款人收入证明",
                need=DEFERRABLE,
                originals=1,
                notes="可容缺后补，面签前补齐",
            ),
        ],
    ),
    Spec(
        FUND,
        "000135003001",
        "住房公积金单位缴存登记",
        "20",
        (PROVIDENT_FUND,),
        (C,),
        (ONLINE, SITE, MOBILE),
        legal=5,
        promised=0,
        version="2",
        guide="受理条件：新设立的单位自设立之日起 30 日内办理。企业开办“一窗通”可同步办理。\n"
        "办理流程：申请 → 即时登记 → 为职工办理个人账户设立。",
        materials=[
            m(
                "《住房公积金单位缴存登记表》",
                FORM,
                form=BOTH,
                originals=1,
                notes="加盖单位公章",
            ),
            licence(notes="企业开办“一窗通”同步办理的免提交"),
            id_card("经办人"),
        ],
    ),
    # --- 婚姻登记 --------------------------------------------------------------------------------------
    Spec(
        CIVIL,
        "000107101001",
        "内地居民结婚登记",
        "07",
        (MARRIAGE,),
        (C,),
        (SITE, BOOK),
        legal=0,
        promised=0,
        version="4",
        guide="受理条件：男女双方自愿结婚，达到法定婚龄，无配偶，无禁止结婚的亲属关系。"
        "双方须共同亲自到婚姻登记机关办理；实行全国通办，无需提交户口簿。\n"
        "办理流程：预约（可选）→ 双方现场申请 → 签署声明书 → 审查 → 当场颁发结婚证。",
        materials=[
            id_card("双方当事人本人有效的", notes=CHECKED),
            m(
                "《申请结婚登记声明书》（现场填写）",
                FORM,
                originals=1,
                notes="双方当事人在婚姻登记员面前亲自签署",
            ),
            m(
                "近期半身免冠 2 寸双人合影照片",
                originals=3,
                notes="红底，同一底版",
            ),
        ],
    ),
    Spec(
        CIVIL,
        "000107102001",
        "内地居民离婚登记",
        "07",
        (MARRIAGE,),
        (C,),
        (SITE, BOOK),
        legal=30,
        promised=30,
        unit=NATURAL,
        version="3",
        guide="受理条件：男女双方自愿离婚，并对子女抚养、财产及债务处理等事项协商一致。\n"
        "办理流程：申请 → 受理 → 离婚冷静期（30 日，任一方可撤回申请）→ 冷静期届满后 30 日内双方共同到场 → "
        "审查 → 登记，发给离婚证。",
        materials=[
            id_card("双方当事人本人有效的", notes=CHECKED),
            m("结婚证", CERT, source=GOVERNMENT, originals=2, notes="双方各一本，登记时收回"),
            m("双方当事人共同签署的离婚协议书", originals=3, notes="一式三份"),
            m("《离婚登记申请书》（现场填写）", FORM, originals=1),
            m("近期半身免冠 2 寸单人照片", originals=4, notes="每人 2 张"),
        ],
    ),
    Spec(
        CIVIL,
        "000107103001",
        "补领婚姻登记证",
        "07",
        (MARRIAGE,),
        (C,),
        (SITE, BOOK),
        legal=30,
        promised=0,
        version="2",
        guide="受理条件：结婚证、离婚证遗失或损毁，婚姻登记档案可查。\n"
        "办理流程：申请 → 查档审查 → 当场补发；档案需外地调取的，调取后办理。",
        materials=[
            id_card(notes=CHECKED),
            m("《申请补领婚姻登记证声明书》（现场填写）", FORM, originals=1),
            m(
                "近期半身免冠 2 寸照片",
                originals=2,
                notes="补领结婚证的提供双人合影，补领离婚证的提供本人单人照",
            ),
            m(
                "婚姻登记档案证明",
                source=GOVERNMENT,
                need=OPTIONAL,
                copies=1,
                notes="在本登记机关登记的免提交；外地登记的由原登记机关出具",
            ),
        ],
    ),
    Spec(
        CIVIL,
        "000107104001",
        "婚姻登记档案查询",
        "20",
        (MARRIAGE,),
        (C,),
        (SITE,),
        legal=0,
        promised=0,
        guide="受理条件：婚姻当事人本人或其委托的人查询、出具婚姻登记记录证明。\n办理流程：申请 → 查档 → 当场出具。",
        materials=[
            id_card(),
            proxy(notes="委托他人查询的提供经公证的授权委托书"),
        ],
    ),
    # --- 司法 ----------------------------------------------------------------------------------------
    Spec(
        JUSTICE,
        "000108001001",
        "法律援助申请",
        "20",
        (LAW,),
        (C, T, V),
        (SITE, ONLINE, MOBILE, HOME),
        legal=7,
        promised=3,
        unit=NATURAL,
        version="3",
        guide="受理条件：因经济困难没有委托代理人，且申请事项属于法律援助范围。无固定生活来源的未成年人、"
        "老年人、残疾人等特定群体免予核查经济困难状况。\n"
        "办理流程：到县公共法律服务中心、镇（街道）司法所申请，村（社区）便民服务站可帮办代办；"
        "行动不便的可预约上门受理 → 审查（7 日内）→ 指派律师或法律援助工作者。",
        materials=[
            id_card(what="居民身份证或其他有效身份证明", copies=1, notes=CHECKED),
            m(
                "《法律援助申请表》",
                FORM,
                originals=1,
                notes="可由帮办代办员代为填写，申请人签字确认",
            ),
            m("《法律援助经济困难状况个人诚信承诺书》", FORM, originals=1),
            m(
                "与所申请法律援助事项有关的证明材料",
                copies=1,
                notes="如起诉状、判决书、劳动合同、工资欠条等",
            ),
            m(
                "低保、特困等免予核查经济困难状况的证明",
                source=GOVERNMENT,
                need=OPTIONAL,
                copies=1,
                notes="部门数据共享可核验的免提交",
            ),
        ],
    ),
    Spec(
        JUSTICE,
        "000108002001",
        "人民调解申请",
        "20",
        (LAW,),
        (C, T, V),
        (SITE, BOOK, HOME, ONLINE),
        legal=30,
        promised=15,
        unit=NATURAL,
        version="2",
        guide="受理条件：当事人之间发生的婚姻家庭、邻里、合同、损害赔偿等民间纠纷，双方自愿调解。\n"
        "办理流程：书面或口头申请 → 人民调解委员会受理 → 调解 → 达成协议的制作人民调解协议书，"
        "可申请司法确认。人民调解不收费。",
        materials=[
            id_card(),
            m(
                "《人民调解申请书》",
                FORM,
                originals=1,
                notes="口头申请的，由调解员现场填写《人民调解申请登记表》",
            ),
            m("纠纷相关证据材料", need=OPTIONAL, copies=1),
        ],
    ),
    Spec(
        JUSTICE,
        "000108003001",
        "行政复议申请",
        "10",
        (LAW,),
        (C, T),
        (SITE, ONLINE, MOBILE, BOOK),
        legal=60,
        promised=60,
        unit=NATURAL,
        version="2",
        guide="受理条件：公民、法人或者其他组织认为县政府工作部门、镇（街道）的行政行为侵犯其合法权益，"
        "自知道该行政行为之日起 60 日内提出。\n"
        "办理流程：书面或口头申请（镇、街道设行政复议受理点）→ 5 日内审查是否受理 → 审理 → "
        "自受理之日起 60 日内作出决定。",
        materials=[
            m(
                "《行政复议申请书》",
                FORM,
                originals=1,
                notes="也可口头申请，由工作人员记录并经申请人签字确认",
            ),
            id_card(
                what="身份证明",
                originals=0,
                copies=1,
                notes="法人或者其他组织提供营业执照和法定代表人身份证明",
            ),
            m("被申请复议的行政行为的相关材料", copies=1, notes="如决定书、通知书等"),
            proxy(notes="委托代理人的提供，附代理人身份证明"),
        ],
    ),
    Spec(
        JUSTICE,
        "000108004001",
        "公共法律服务咨询",
        "20",
        (LAW,),
        (C, T, V),
        (SITE, ONLINE, MOBILE, BOOK),
        legal=0,
        promised=0,
        guide="受理条件：需要法律咨询的群众和企业。\n"
        "办理流程：到县公共法律服务中心、镇（街道）公共法律服务工作站、村（社区）法律顾问咨询，"
        "或拨打 12348 公共法律服务热线、登录山东法律服务网 → 当场解答。",
        materials=[
            m(
                "咨询事项相关材料",
                need=OPTIONAL,
                copies=1,
                notes="如合同、票据、文书等，便于准确解答",
            ),
        ],
    ),
]


#: What applicants say at the counter for each item (俗称), as a county's windows hear it: every item
#: search finds an item by these (decision 0037), so 低保, 社保卡, 营业执照, 残疾证 and 养老金 each
#: find theirs.
KEYWORDS: dict[str, tuple[str, ...]] = {
    "企业设立登记（有限责任公司）": ("开公司", "注册公司", "营业执照", "办执照"),
    "个体工商户设立登记": ("个体户", "营业执照", "办执照", "开店"),
    "农民专业合作社设立登记": ("合作社", "办合作社", "营业执照"),
    "企业变更登记": ("公司变更", "换法人", "执照变更"),
    "企业注销登记（简易注销）": ("公司注销", "关公司", "注销执照"),
    "新办企业印章刻制备案": ("刻章", "公章"),
    "企业投资项目备案": ("项目备案",),
    "企业投资项目核准": ("项目核准",),
    "建设项目用地预审与选址意见书核发": ("选址意见书", "用地预审"),
    "建设工程规划许可证核发": ("规划证", "工程规划证"),
    "建筑工程施工许可证核发": ("施工证", "施工许可证"),
    "特殊建设工程消防验收": ("消防验收",),
    "食品经营许可": ("食品经营许可证", "开饭店", "小饭馆"),
    "公共场所卫生许可": ("卫生许可证", "卫生证"),
    "药品零售企业经营许可": ("开药店", "药店"),
    "最低生活保障审核确认": ("低保", "吃低保", "最低生活保障"),
    "特困人员救助供养审核确认": ("五保", "五保户", "特困供养"),
    "临时救助": ("救急", "困难救助"),
    "高龄津贴申领": ("高龄补贴", "老年补贴", "老人补贴"),
    "困难残疾人生活补贴和重度残疾人护理补贴申领": ("残疾人两项补贴", "残疾补贴", "护理补贴"),
    "残疾人证新办": ("残疾证", "办残疾证", "残疾鉴定"),
    "残疾人证换领": ("换残疾证", "残疾证到期"),
    "不动产转移登记（存量房买卖）": ("过户", "房产过户", "二手房"),
    "国有建设用地使用权及房屋所有权首次登记": ("房产证", "办房产证"),
    "不动产抵押登记（一般抵押权首次登记）": ("房屋抵押", "抵押登记"),
    "宅基地使用权及房屋所有权首次登记": ("宅基地证", "农村房产证"),
    "公共租赁住房保障资格审核": ("公租房", "廉租房"),
    "城乡居民基本养老保险参保登记": ("居民养老保险", "新农保", "交养老保险"),
    "城乡居民基本养老保险待遇申领": ("养老金", "领养老金", "退休金"),
    "领取养老保险待遇资格认证": ("养老金认证", "生存认证", "刷脸认证"),
    "社会保障卡申领": ("社保卡", "办社保卡", "新办社保卡"),
    "社会保障卡补换": ("社保卡补办", "社保卡丢了", "换社保卡"),
    "失业保险金申领": ("失业金", "领失业金"),
    "就业创业证申领（就业失业登记）": ("失业证", "就业证", "失业登记"),
    "灵活就业人员企业职工基本养老保险参保登记": ("灵活就业", "个人交社保", "职工养老"),
    "城乡居民基本医疗保险参保登记": ("居民医保", "合作医疗", "新农合"),
    "异地就医备案（异地长期居住人员）": ("异地就医", "外地看病"),
    "异地就医备案（异地转诊人员）": ("异地就医", "转诊", "外地看病"),
    "门诊慢特病待遇认定": ("慢性病", "慢病卡", "门诊慢病"),
    "零星医疗费用报销": ("医药费报销", "看病报销"),
    "生育医疗费用及生育津贴申领": ("生育险", "生育报销", "生育津贴"),
    "居民身份证换领": ("换身份证", "身份证到期"),
    "居民身份证补领（丢失补领）": ("补身份证", "身份证丢了"),
    "户口迁移（省内迁移）": ("迁户口", "落户"),
    "出生登记": ("上户口", "报户口", "新生儿落户"),
    "无犯罪记录证明开具": ("无犯罪证明", "良民证"),
    "增值税专用发票领用": ("领发票", "专票"),
    "增值税专用发票（增值税税控系统）最高开票限额审批": ("开票限额", "提额"),
    "代开增值税发票（自然人）": ("代开发票", "开发票"),
    "城乡居民基本医疗保险费缴纳": ("交医保", "医保缴费", "交合作医疗"),
    "个人所得税综合所得年度汇算": ("个税", "退税", "个税汇算"),
    "住房公积金提取（退休）": ("取公积金", "公积金提取"),
    "住房公积金提取（购买自住住房）": ("取公积金", "买房提公积金"),
    "住房公积金个人住房贷款": ("公积金贷款",),
    "住房公积金单位缴存登记": ("公积金开户", "单位交公积金"),
    "内地居民结婚登记": ("结婚证", "领结婚证", "领证"),
    "内地居民离婚登记": ("离婚", "离婚证"),
    "补领婚姻登记证": ("补结婚证", "补离婚证"),
    "婚姻登记档案查询": ("婚姻状况证明", "查结婚档案"),
    "法律援助申请": ("法援", "免费律师"),
    "人民调解申请": ("调解", "邻里纠纷"),
    "行政复议申请": ("复议", "不服行政处罚"),
    "公共法律服务咨询": ("法律咨询", "12348"),
}


@transaction.atomic
def extend_demo(demo: Demo) -> list[str]:
    """Yiyuan's catalog: the items above, each with its first revision. Nothing when it has items."""
    county = demo.county
    if ServiceItem.objects.filter(county=county).exists():
        return []
    departments = {
        name: Department.objects.get_or_create(county=county, name=name)[0]
        for name in {spec.department for spec in ITEMS}
    }
    domains = Domain.objects.in_bulk(field_name="code")
    materials = 0
    for spec in ITEMS:
        actions.create_item(
            county,
            implementation_code=spec.implementation_code,
            data=ItemData(
                basic_code=spec.basic_code,
                version=spec.version,
                name=spec.name,
                type_code=spec.type_code,
                type_name=TYPES[spec.type_code],
                type_system=TYPE_SYSTEM,
                department=departments[spec.department],
                domains=frozenset(domains[code] for code in spec.domains),
                levels=frozenset(spec.levels),
                modes=frozenset(spec.modes),
                legal_limit=spec.legal,
                legal_limit_unit=spec.legal_unit or spec.unit,
                promised_limit=spec.promised,
                promised_limit_unit=spec.unit,
                fee_charged=spec.fee_charged,
                fee_note=spec.fee_note,
                guide=spec.guide,
                keywords=KEYWORDS.get(spec.name, ()),
            ),
            materials=spec.materials,
            by=None,
            source=ItemRevision.Source.DEMO,
        )
        materials += len(spec.materials)
    covered = {code for spec in ITEMS for code in spec.domains}
    return [
        f"事项目录：{len(ITEMS)} 项服务事项（{len(covered)} 个领域，{len(departments)} 个实施部门），"
        f"申请材料 {materials} 项。"
    ]
