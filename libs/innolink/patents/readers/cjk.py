"""Japanese and Chinese text for the JPO and CNIPA readers: decoding, running text,
countries, regions and cities of addresses, organisation names."""

from __future__ import annotations

import codecs
import re
import unicodedata

from lxml import etree

from innolink.normalize import country_iso2
from innolink.patents.document import Reject
from innolink.patents.readers.common import norm_ws
from innolink.patents.readers.support import local_name

# --- decoding ---------------------------------------------------------------------------

_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._\-]+)[\"']")
_DECLARED_ENCODING = re.compile(r"^(\s*<\?xml[^>]*?)\s+encoding\s*=\s*[\"'][^\"']*[\"']")
# Shift_JIS and EUC-JP as Japanese offices write them: Windows (cp932) and JIS X 0213
# (euc_jis_2004) extensions included, since gazettes use circled numbers and the like.
_CODECS = {
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "ms_kanji": "cp932",
    "windows-31j": "cp932",
    "ms932": "cp932",
    "cp932": "cp932",
    "euc-jp": "euc_jp",
    "euc_jp": "euc_jp",
    "x-euc-jp": "euc_jp",
    "eucjp": "euc_jp",
}
_FALLBACKS = {"euc_jp": ("euc_jis_2004",), "cp932": ()}
_UNDECLARED = ("cp932", "euc_jp")
# cp932 maps six JIS X 0208 characters to other code points than EUC-JP and Unicode's JIS
# table; mapping them back makes a Shift_JIS and an EUC-JP copy of a gazette read the same.
_CP932_TO_JIS = str.maketrans(
    {
        "\uff5e": "\u301c",  # FULLWIDTH TILDE -> WAVE DASH
        "\u2225": "\u2016",  # PARALLEL TO -> DOUBLE VERTICAL LINE
        "\uff0d": "\u2212",  # FULLWIDTH HYPHEN-MINUS -> MINUS SIGN
        "\uffe0": "\u00a2",  # FULLWIDTH CENT SIGN -> CENT SIGN
        "\uffe1": "\u00a3",  # FULLWIDTH POUND SIGN -> POUND SIGN
        "\uffe2": "\u00ac",  # FULLWIDTH NOT SIGN -> NOT SIGN
    }
)
# Share of undecodable characters below which a legacy-encoded file is still read (with
# U+FFFD in their place): a gaiji or two should not cost the whole gazette.
_MAX_REPLACED = 1 / 2000


def decode_xml(data: bytes) -> bytes:
    """The document re-encoded as UTF-8 without an encoding declaration, from UTF-8,
    UTF-16, Shift_JIS (cp932) or EUC-JP bytes.

    The encoding is the BOM's, else the declaration's, else UTF-8 when the bytes are valid
    UTF-8, else whichever of cp932 and EUC-JP decodes them (the more plausible Japanese text
    when both do). Reject("encoding.undecodable") when none does.
    """
    if data.startswith(codecs.BOM_UTF8):
        text = _strict(data[3:], "utf-8")
        return _reencode(text if text is not None else _utf8_cut_short(data[3:]), data)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _reencode(_strict(data, "utf-16"), data)
    match = _DECLARATION.match(data[:512])
    if match:
        name = match.group(1).decode("ascii").lower()
        codec = _CODECS.get(name, name)
        try:
            codecs.lookup(codec)
        except LookupError:
            codec = None
        if codec is not None:
            for candidate in (codec, *_FALLBACKS.get(codec, ())):
                text = _strict(data, candidate)
                if text is not None:
                    return _reencode(_fix(text, candidate), data)
    text = _strict(data, "utf-8")
    if text is None:
        text = _utf8_cut_short(data)
    if text is not None:
        return _reencode(text, data)
    return _reencode(_sniff_japanese(data), data)


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        return None


def _utf8_cut_short(data: bytes) -> str | None:
    """UTF-8 cut inside its last character (a truncated file) reads up to the cut, so that
    the parser, not the decoder, reports the truncation."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data" and exc.start >= len(data) - 3:
            return _strict(data[: exc.start], "utf-8")
    return None


def _fix(text: str, codec: str) -> str:
    return text.translate(_CP932_TO_JIS) if codec == "cp932" else text


def _sniff_japanese(data: bytes) -> str:
    decoded = []
    for codec in _UNDECLARED:
        for candidate in (codec, *_FALLBACKS[codec]):
            text = _strict(data, candidate)
            if text is not None:
                decoded.append(_fix(text, candidate))
                break
    if decoded:
        return max(decoded, key=_plausibility)
    # Neither decodes cleanly: take the one that needs the fewest replacements, if few.
    lenient = [_fix(data.decode(codec, errors="replace"), codec) for codec in _UNDECLARED]
    best = min(lenient, key=lambda t: t.count("\ufffd"))
    if best.count("\ufffd") > max(1, len(best) * _MAX_REPLACED):
        raise Reject("encoding.undecodable", "neither UTF-8, Shift_JIS nor EUC-JP")
    return best


def _plausibility(text: str) -> int:
    """Hiragana count minus a penalty for characters a wrong guess produces (half-width
    katakana, private use, C1 controls): EUC-JP bytes often also decode as cp932."""
    score = 0
    for ch in text:
        if "\u3040" <= ch <= "\u309f":
            score += 1
        elif "\uff61" <= ch <= "\uff9f" or "\ue000" <= ch <= "\uf8ff" or "\x80" <= ch <= "\x9f":
            score -= 5
    return score


def _reencode(text: str | None, data: bytes) -> bytes:
    if text is None:
        raise Reject("encoding.undecodable", f"{data[:4]!r}... does not match its encoding")
    return _DECLARED_ENCODING.sub(r"\1", text.lstrip("\ufeff"), count=1).encode("utf-8")


# --- running text -----------------------------------------------------------------------

# Han, kana, Hangul, CJK and full-width punctuation; not full-width letters or digits.
_CJK = (
    "\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3100-\u31ff\u3200-\u33ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff01-\uff0f\uff1a-\uff20"
    "\uff3b-\uff40\uff5b-\uff65\uff66-\uff9f\U00020000-\U0002ffff"
)
_SPACE_BY_CJK = re.compile(f"(?<=[{_CJK}]) | (?=[{_CJK}])")
# Elements that break text into blocks; every other element (sub, sup, b, u, ...) is
# inline and joins its neighbours without a space.
_BLOCKS = frozenset(
    """p br claim-text heading li ul ol dl dt dd entry row table tgroup tbody thead
    figure title invention-title Paragraphs ClaimText Claim claim Heading Table Row Entry
    """.split()
)


def cjk_text(element: etree._Element | None, skip: frozenset[str] = frozenset()) -> str | None:
    """All text below an element, for Japanese or Chinese running text.

    Inline markup joins without a space ("ＬｉＣｏＯ<sub>２</sub>" -> "ＬｉＣｏＯ２"), and
    white space next to a CJK character is dropped: in these documents it is line layout
    ("表面等离振子共\\n<br/>振" is one word), not a word break. Elements named in `skip`
    (local names) are left out.
    """
    if element is None:
        return None
    parts: list[str] = []
    _collect(element, skip, parts, top=True)
    text = norm_ws("".join(parts))
    return _SPACE_BY_CJK.sub("", text) if text else None


def _collect(element: etree._Element, skip: frozenset[str], parts: list[str], top: bool):
    name = local_name(element)
    if name and name not in skip:
        block = name in _BLOCKS
        if block:
            parts.append(" ")
        if element.text:
            parts.append(element.text)
        for child in element:
            _collect(child, skip, parts, top=False)
        if block:
            parts.append(" ")
    elif name:
        parts.append(" ")
    if not top and element.tail:
        parts.append(element.tail)


# --- addresses --------------------------------------------------------------------------

_JP_PREFECTURES = """北海道 青森県 岩手県 宮城県 秋田県 山形県 福島県 茨城県 栃木県 群馬県 埼玉県
千葉県 東京都 神奈川県 新潟県 富山県 石川県 福井県 山梨県 長野県 岐阜県 静岡県 愛知県 三重県
滋賀県 京都府 大阪府 兵庫県 奈良県 和歌山県 鳥取県 島根県 岡山県 広島県 山口県 徳島県 香川県
愛媛県 高知県 福岡県 佐賀県 長崎県 熊本県 大分県 宮崎県 鹿児島県 沖縄県""".split()
_CN_MUNICIPALITIES = ("北京", "上海", "天津", "重庆")
_CN_PROVINCES = """河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 广东
海南 四川 贵州 云南 陕西 甘肃 青海 内蒙古 广西 西藏 宁夏 新疆""".split()
# Country names as Japanese (JPO) and Chinese (CNIPA) addresses begin with them.
_COUNTRY_NAMES = {
    "JP": "日本国 日本",
    "CN": "中華人民共和国 中华人民共和国 中国",
    "HK": "香港 ホンコン",
    "MO": "澳門 澳门 マカオ",
    "TW": "台湾 臺灣 中華民国",
    "US": "アメリカ合衆国 米国 アメリカ 美利坚合众国 美国",
    "KR": "大韓民国 大韩民国 韓国 韩国",
    "KP": "朝鮮民主主義人民共和国 朝鲜",
    "DE": "ドイツ連邦共和国 ドイツ 德意志联邦共和国 德国",
    "FR": "フランス共和国 フランス 法兰西共和国 法国",
    "GB": "イギリス 英国 グレートブリテン 連合王国 大不列颠 英格兰",
    "CH": "スイス連邦 スイス 瑞士",
    "NL": "オランダ王国 オランダ 荷兰",
    "SE": "スウェーデン王国 スウェーデン 瑞典",
    "IT": "イタリア共和国 イタリア 意大利",
    "ES": "スペイン王国 スペイン 西班牙",
    "BE": "ベルギー王国 ベルギー 比利时",
    "AT": "オーストリア共和国 オーストリア 奥地利",
    "DK": "デンマーク王国 デンマーク 丹麦",
    "FI": "フィンランド共和国 フィンランド 芬兰",
    "NO": "ノルウェー王国 ノルウェー 挪威",
    "IE": "アイルランド 爱尔兰",
    "LU": "ルクセンブルク大公国 ルクセンブルク 卢森堡",
    "LI": "リヒテンシュタイン公国 リヒテンシュタイン 列支敦士登",
    "IL": "イスラエル国 イスラエル 以色列",
    "CA": "カナダ 加拿大",
    "AU": "オーストラリア連邦 オーストラリア 澳大利亚",
    "NZ": "ニュージーランド 新西兰",
    "IN": "インド共和国 インド 印度",
    "ID": "インドネシア共和国 インドネシア 印度尼西亚",
    "SG": "シンガポール共和国 シンガポール 新加坡",
    "MY": "マレーシア 马来西亚",
    "TH": "タイ王国 泰国",
    "VN": "ベトナム社会主義共和国 ベトナム 越南",
    "PH": "フィリピン共和国 フィリピン 菲律宾",
    "RU": "ロシア連邦 ロシア 俄罗斯联邦 俄罗斯",
    "BR": "ブラジル連邦共和国 ブラジル 巴西",
    "MX": "メキシコ合衆国 メキシコ 墨西哥",
    "PL": "ポーランド共和国 ポーランド 波兰",
    "CZ": "チェコ共和国 チェコ 捷克",
    "HU": "ハンガリー 匈牙利",
    "PT": "ポルトガル共和国 ポルトガル 葡萄牙",
    "GR": "ギリシャ共和国 ギリシャ 希腊",
    "TR": "トルコ共和国 トルコ 土耳其",
    "SA": "サウジアラビア王国 サウジアラビア 沙特阿拉伯",
    "AE": "アラブ首長国連邦 阿拉伯联合酋长国",
    "ZA": "南アフリカ共和国 南アフリカ 南非",
    "KY": "ケイマン諸島 英領ケイマン諸島 开曼群岛",
    "BM": "バミューダ 百慕大",
    "VG": "英領ヴァージン諸島 英属维尔京群岛",
}
_PREFIXES = sorted(
    [(name, code) for code, names in _COUNTRY_NAMES.items() for name in names.split()]
    + [(name, "JP") for name in _JP_PREFECTURES]
    + [(name, "CN") for name in (*_CN_MUNICIPALITIES, *_CN_PROVINCES)],
    key=lambda item: -len(item[0]),
)
# The parts of China with their own ISO 3166 code, as a Chinese address names them after
# "中華人民共和国" / "中国" ("中華人民共和国、ホンコン、..." is Hong Kong).
_CN_REGIONS = {"HK": ("香港", "ホンコン"), "MO": ("澳門", "澳门", "マカオ"), "TW": ("台湾", "臺灣")}
# Postal codes and separators before the first name: "650231 云南省...", "〒100-0001 東京都...".
_LEAD = re.compile(r"^[\s\d０-９〒\-−‐－、，,.。]+")


def country_of_address(address: str | None) -> str | None:
    """ISO country of a Japanese or Chinese address from the country, prefecture or province
    it starts with; None when it names none of them."""
    if not address:
        return None
    text = _LEAD.sub("", address)
    for name, code in _PREFIXES:
        if text.startswith(name):
            if code == "CN":
                rest = _LEAD.sub("", text[len(name) :])
                for region, names in _CN_REGIONS.items():
                    if rest.startswith(names):
                        return region
            return code
    return None


def country_of_english_address(address: str | None) -> str | None:
    """ISO country named at the end of an English address ("..., Hong Kong, China")."""
    text = unicodedata.normalize("NFKC", address or "")
    if not text.strip():
        return None
    if re.search(r"\bhong\s*kong\b", text, re.I):
        return "HK"
    words = re.sub(r"[.]", "", text.rsplit(",", 1)[-1]).split()
    for size in range(min(4, len(words)), 0, -1):
        code = country_iso2(" ".join(words[-size:]))
        if code:
            return code
    return None


_JP_MUNICIPALITY = re.compile(r"^(.+?[市区町村])([市町村])?")


def jp_region_city(address: str | None) -> tuple[str | None, str | None]:
    """(prefecture, municipality) of a Japanese address: ("東京都", "大田区")."""
    text = _LEAD.sub("", address or "")
    for prefecture in _JP_PREFECTURES:
        if text.startswith(prefecture):
            match = _JP_MUNICIPALITY.match(text[len(prefecture) :])
            return prefecture, ("".join(g for g in match.groups() if g) if match else None)
    return None, None


_CN_REGION_CITY = re.compile(
    r"^(?P<region>(?:北京|上海|天津|重庆)市|[^\s\d]{2,3}省|[^\s\d]{2,8}?自治区)?"
    r"(?P<city>[^\s\d省]{2,8}?(?:市|自治州|地区|盟))?"
)


def cn_region_city(address: str | None) -> tuple[str | None, str | None]:
    """(province, city) of a Chinese address: ("云南省", "昆明市"); a municipality is both."""
    match = _CN_REGION_CITY.match(_LEAD.sub("", address or ""))
    region, city = match.group("region"), match.group("city")
    if region and region[:2] in _CN_MUNICIPALITIES:
        city = region
    return region, city


# --- names ------------------------------------------------------------------------------

_ORG_CJK = re.compile(
    "株式会社|有限会社|合同会社|合名会社|合資会社|相互会社|会社|法人|組合|協会|協議会|大学|"
    "学校|研究所|研究機構|機構|公社|公団|事業団|財団|社団|センター|コーポレ[ーイ]ション|"
    "カンパニー|リミテッド|インコーポレ[ーイ]テッド|ゲゼルシャフト|ゲーエムベーハー|"
    "アクチ[エー]ンゲゼルシャフト|アクチボラ[ゲー]ット|エルエルシー|ホールディングス|"
    "ラボラトリ|ユニバーシティ|インスティテュート|ファウンデーション|"
    "公司|有限|集团|大学|学院|研究院|研究中心|实验室|医院|中心|协会|基金会|委员会|"
    "管理局|事务所|银行|合作社|株式会社|工厂"
)
_ORG_LATIN = re.compile(
    r"\b(?:inc|corp|corporation|company|co\.|ltd|limited|llc|llp|plc|gmbh|mbh|kabushiki|"
    r"kaisha|pty|bhd|ltda|s\.a|s\.p\.a|s\.r\.l|s\.a\.s|n\.v|b\.v|a/s|university|"
    r"universit[aäéy]\w*|institut\w*|foundation|fondation|stiftung|gesellschaft|"
    r"association|council|centre|center|laborator\w*|regents|trust|hospital|ministry|"
    r"government|agency|commissariat|group|holdings?)(?!\w)"
    # Short legal forms only as the last word: "SAP SE", but not the Korean given name "Se".
    r"|(?:^|[\s,])(?:se|sa|as|ab|ag|kg|kk|nv|bv|oy|oyj|aps|spa|srl|sas|sarl|lp)\.?\s*$",
    re.I,
)


def is_organization_name(name: str) -> bool:
    """Whether an applicant's name is an organisation's (legal form or institution word)."""
    text = unicodedata.normalize("NFKC", name)
    return bool(_ORG_CJK.search(text) or _ORG_LATIN.search(text))


def org_name_latin(name: str) -> bool:
    """Whether a Latin-script name carries a legal form or institution word."""
    return bool(_ORG_LATIN.search(unicodedata.normalize("NFKC", name)))
