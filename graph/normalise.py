"""Names and addresses of sites, normalised to comparable tokens for matching.

Supplier lists write one factory many ways: "QUANZHOU XINXING FOOTWEAR CO., LTD" in one list,
"Quanzhou Xinxing Footwear Co Ltd" in another, "泉州新星鞋业有限公司" in a Chinese registry,
"Công ty TNHH May Việt Tiến" beside "Viet Tien Garment Co". Normalisation removes what carries no
identity (script, case, punctuation, legal form, word order) and sorts the rest into what the
scorer weighs differently: distinctive words, generic trade words ("garment", "factory") that
many unrelated sites share, place names, and unit designators ("Unit 2", "Plant B", "Cutting")
that tell two sites of one company apart.

The rules on words are order-free (a multi-word legal form or glossary phrase applies when all its
words are present, wherever they stand), so ``normalise_name`` is idempotent and word order never
changes its result. Chinese script is the exception: its trade words are read from adjacent
characters before anything else happens.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

import pycountry
from anyascii import anyascii


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _phrases(text: str) -> dict[str, str]:
    """ "gong si = ; fu zhuang = garment" -> {"gong si": "", "fu zhuang": "garment"}."""
    pairs = (item.split("=") for item in text.split(";") if item.strip())
    return {" ".join(phrase.split()): word.strip() for phrase, word in pairs}


# Legal-form words, dropped wherever they stand; dotted acronyms are collapsed first ("S.A." -> "sa").
_LEGAL_WORDS = _words("""
    ltd ltda limited inc incorporated llc llp plc pcl corp corporation co company cia cie liability
    pvt pte pty private bhd sdn tbk persero pt cv ud gmbh mbh ag kg ohg ug
    sa sas sarl sac saic saca sae sal srl spa snc sl slu sapi sab rl bv nv oy ab as asa aps sro kft zrt
    ooo zao oao pao jsc ojsc pjsc tnhh mtv kk sti zoo gongsi youxiangongsi
""")
# Multi-word legal forms, in canonical words ("ticaret" is already "trading"), order-free; the
# single letters are "S A de C V" with its dots stripped.
_LEGAL_PHRASES = tuple(
    frozenset(p.split())
    for p in _phrases("""
        joint stock=; public limited=; cong ty=; co phan=; mot thanh vien=; trach nhiem huu han=;
        youxian gongsi=; kabushiki kaisha=; yugen kaisha=; san ve tic=; sanayi ve trading=;
        sp z oo=; sp zoo=; s rl=; s a c v=; s r l c v=
    """)
)
# Romanised Vietnamese trade phrases (diacritics are gone by now) -> English, order-free.
_GLOSSARY_PHRASES = tuple(
    (frozenset(p.split()), w)
    for p, w in _phrases("""
        may mac=garment; det may=textile; san xuat=manufacturing; thuong mai=trading;
        xuat nhap khau=export; xuat khau=export; cong nghiep=industrial
    """).items()
)
# Chinese trade words as pinyin of adjacent hanzi -> English ("" = legal form): 有限公司, 服装厂...
_PINYIN_GLOSSARY = {
    tuple(p.split()): w
    for p, w in _phrases("""
        gu fen you xian gong si=; you xian ze ren gong si=; you xian gong si=; gong si=;
        fu zhuang=garment; fu shi=garment; zhi yi=garment; zhen zhi=knit; fang zhi=textile;
        xie ye=shoe; shi ye=industrial; gong ye=industrial; zhi zao=manufacturing; mao yi=trading;
        guo ji=international; ji tuan=group; mao ye=headwear; gong chang=factory; fen chang=branch
    """).items()
}
_PINYIN_LONGEST = max(len(k) for k in _PINYIN_GLOSSARY)

# Spellings, abbreviations and other languages -> one canonical word, itself canonical.
_CANONICAL = {
    variant: word
    for word, variants in _phrases("""
        garment = garment gmt gmts clothing clothe cloth apparel confection confeccion confeccione
                  garmen vestuario roupa konfeksi;
        textile = textile textil tekstil tex tessile; knit = knit knitting knitwear knitter;
        shoe = shoe footwear calzado; industrial = industrial industry industrie industria ind inds indus indl;
        manufacturing = manufacturing manufactory manufacture manufacturer mfg mfr mfy mfrs;
        trading = trading trade ticaret comercio comercial; international = international intl internacional;
        group = group grupo; factory = factory fty fabrica fabrika; headwear = headwear hat cap;
        enterprise = enterprise ent; brother = brother bro
    """).items()
    for variant in variants.split()
}
_NUMBER_WORDS = {
    word: str(number)
    for numbers in (
        "one two three four five six seven eight nine ten",
        "first second third fourth fifth sixth seventh eighth ninth tenth",
        "_ ii iii iv _ vi vii viii ix",  # not i, v or x: those are initials more often than numbers
    )
    for number, word in enumerate(numbers.split(), 1)
    if word != "_"
}

# Generic trade words: many unrelated sites share them, so they weigh little in the name score.
# ("may" is Vietnamese for sewing: "Công ty May ..." is a garment company.)
GENERIC_WORDS = _words("""
    garment textile knit shoe industrial manufacturing trading international group factory enterprise
    fashion export import product global holding sport sportswear wear mill service solution
    development investment technology tech accessory brother may
""")
# Product words narrow the field, but every maker of that product shares them.
PRODUCT_WORDS = _words("""
    headwear glove sock sweater denim jean towel leather bag underwear intimate lingerie weaving
    spinning dyeing embroidery printing packaging label button zipper lace
""")
_STOPWORDS = _words("and the of de del des du y et und for e no nr number")
# Unit designators (see unit_designators): a letter counts after a unit word ("Plant B").
UNIT_WORDS = _words("unit plant block building bldg line site phase factory")
QUALIFIER_WORDS = _words("""
    branch subsidiary division warehouse workshop annex
    cutting sewing washing laundry finishing packing assembly north south east west
""")

_DOTTED_ACRONYM = re.compile(r"\b[a-z](?:\. ?[a-z]\b)+\.?")
_ORDINAL = re.compile(r"\b(\d+)(?:st|nd|rd|th)\b")
_LETTER_DIGIT = re.compile(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return 0x3400 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0x20000 <= code <= 0x2FFFF


def _pinyin_run(run: str) -> str:
    """A run of hanzi as separate pinyin syllables, trade words in English, legal forms dropped.

    anyascii writes the run as one CamelCase word, which no romanised spelling splits the same
    way; separate syllables let the scorer re-join them to meet "Shanghai Weijie"."""
    syllables = [anyascii(ch).casefold() for ch in run]
    out: list[str] = []
    i = 0
    while i < len(syllables):
        for n in range(min(_PINYIN_LONGEST, len(syllables) - i), 1, -1):
            word = _PINYIN_GLOSSARY.get(tuple(syllables[i : i + n]))
            if word is not None:
                out.append(word)
                i += n
                break
        else:
            # 厂 (chang) closing a name is "factory"; elsewhere "chang" is usually 长, part of the name.
            out.append("factory" if syllables[i] == "chang" and i == len(syllables) - 1 else syllables[i])
            i += 1
    return " " + " ".join(w for w in out if w) + " "


def transliterate(text: str) -> str:
    """ASCII text: Latin diacritics dropped, Cyrillic and others by anyascii, hanzi as pinyin syllables."""
    if text.isascii():
        return text
    parts: list[str] = []
    run: list[str] = []
    for ch in text:
        if _is_cjk(ch):
            run.append(ch)
            continue
        if run:
            parts.append(_pinyin_run("".join(run)))
            run.clear()
        parts.append(anyascii(ch))
    if run:
        parts.append(_pinyin_run("".join(run)))
    return "".join(parts)


def _basic_tokens(text: str) -> list[str]:
    text = transliterate(text).casefold()
    text = _DOTTED_ACRONYM.sub(lambda m: m.group(0).replace(".", "").replace(" ", "") + " ", text)
    text = text.replace("&", " and ").replace("'", "").replace("\u2019", "")
    text = _ORDINAL.sub(r"\1", text)
    text = _LETTER_DIGIT.sub(" ", text)  # "MXP8" -> "mxp 8", "No.2" -> "no 2"
    return _NON_ALNUM.sub(" ", text).split()


def _singular(token: str) -> str:
    if len(token) > 3 and token.endswith("s") and not token.endswith("ss"):
        return token[:-1]
    return token


def _canonical(token: str) -> str:
    """One spelling per word; every result is its own canonical form (normalise_name is idempotent)."""
    singular = _singular(token)
    for candidate in (token, singular):
        found = _CANONICAL.get(candidate) or _NUMBER_WORDS.get(candidate)
        if found is not None:
            return found
    return singular


def _apply_phrases(tokens: list[str]) -> list[str]:
    """Drop legal-form phrases and translate glossary phrases whose words are all present.

    Repeated until nothing applies; each step removes at least two words and adds at most one."""
    while True:
        present = set(tokens)
        legal = next((p for p in _LEGAL_PHRASES if p <= present), None)
        if legal is not None:
            tokens = [t for t in tokens if t not in legal]
            continue
        glossary = next(((p, w) for p, w in _GLOSSARY_PHRASES if p <= present), None)
        if glossary is None:
            return tokens
        tokens = [t for t in tokens if t not in glossary[0]] + [glossary[1]]


@lru_cache(maxsize=65536)
def name_tokens(name: str) -> tuple[str, ...]:
    """Tokens of a site name in written order, without legal forms, stopwords or punctuation."""
    tokens = _apply_phrases([_canonical(t) for t in _basic_tokens(name)])
    return tuple(t for t in tokens if t not in _LEGAL_WORDS and t not in _STOPWORDS)


def normalise_name(name: str) -> str:
    """Comparable form of a site name: tokens sorted, so "Weijie Shanghai" equals "Shanghai Weijie"."""
    return " ".join(sorted(name_tokens(name)))


_NUMBER_WITH_LETTER = re.compile(r"^[0-9]+[a-z]$")  # "2a" in "Unit 2A"
_DIGIT_RUN = re.compile(r"[0-9]+")


def _designator_pieces(name: str) -> tuple[list[str], set[str]]:
    """The name's tokens for the unit rules, and its alphanumeric codes kept whole.

    A code such as "3b2fd97f" or "KT21-B7" names something by itself: split into "3 b 2 ..."
    its digits would read as unit numbers, and two names sharing the code would look like the
    same unit whatever their real unit numbers say."""
    pieces: list[str] = []
    codes: set[str] = set()
    for raw in _NON_ALNUM.sub(" ", transliterate(name).casefold().replace("'", "")).split():
        mixed = any(c.isdigit() for c in raw) and any(c.isalpha() for c in raw)
        if mixed and _NUMBER_WITH_LETTER.match(raw) and not _ORDINAL.fullmatch(raw):
            codes.add(raw)
        elif mixed and (len(_DIGIT_RUN.findall(raw)) > 1 or len(raw) > 6):
            codes.add(f"code {raw}")
        else:
            pieces.extend(_basic_tokens(raw))
    return pieces, codes


@lru_cache(maxsize=65536)
def unit_designators(name: str) -> frozenset[str]:
    """What names one site of a company: numbers ("2", "II", "Second", "Unit-3", "2A"), a letter
    after a unit word ("Plant B"), qualifiers ("Branch", "Cutting", "North"), and whole
    alphanumeric codes.

    Two records whose designators differ are different units until a person says otherwise."""
    pieces, found = _designator_pieces(name)
    tokens = [_NUMBER_WORDS.get(t, t) for t in pieces]
    for i, token in enumerate(tokens):
        if token.isdigit():
            found.add(str(int(token)))
        elif token in QUALIFIER_WORDS:
            found.add(token)
        elif len(token) == 1 and i > 0 and tokens[i - 1] in UNIT_WORDS:
            found.add(f"{tokens[i - 1]} {token}")
    return frozenset(found)


# --- addresses ----------------------------------------------------------------------------------

_ADDRESS_ABBREVIATIONS = {
    short: word
    for word, shorts in _phrases("""
        road = rd; street = st str; avenue = ave av avda avenida; boulevard = blvd; highway = hwy;
        district = dist distt; industrial = ind indl indus industry inductrial industial;
        province = prov; building = bldg; block = blk; floor = fl flr; village = vill vil;
        township = twp; jalan = jl jln; kabupaten = kab; kecamatan = kec; kelurahan = kel;
        carretera = carr; urbanizacion = urb; poligono = pol; center = ctr centre; zone = sez ez;
        park = ip; development = dev
    """).items()
    for short in shorts.split()
}
_ADDRESS_STOPWORDS = _words("and of the de del no nr number n a")
# Address words that say what kind of place, not which one: they weigh little in the address score.
ADDRESS_GENERIC_WORDS = _words("""
    road street avenue lane boulevard highway way drive alley industrial zone park estate area
    cluster complex center export processing free economic development technology hi tech new high
    science district town city province village county township ward commune hamlet sector quarter
    jalan kabupaten kecamatan kelurahan desa dusun kampung moo tambon amphoe building floor block
    lot plot unit room phase km box po north south east west central middle upper lower carretera
    calle urbanizacion poligono colonia
""")


@lru_cache(maxsize=65536)
def address_tokens(address: str) -> tuple[str, ...]:
    """Tokens of an address in written order: transliterated, abbreviations expanded, "No." and
    country names dropped (the record's country says it better; "Vietnam." alone is no address)."""
    tokens = [_ADDRESS_ABBREVIATIONS.get(t, t) for t in _basic_tokens(address)]
    countries = _country_words()
    drop = {i for i, t in enumerate(tokens) if t in countries or t in _ADDRESS_STOPWORDS}
    drop |= {j for i in range(len(tokens) - 1) if tokens[i] + tokens[i + 1] in countries for j in (i, i + 1)}
    return tuple(str(int(t)) if t.isdigit() else t for i, t in enumerate(tokens) if i not in drop)


def normalise_address(address: str) -> str:
    """Comparable form of an address; order is kept (the scorer compares words and numbers as sets)."""
    return " ".join(address_tokens(address))


# --- places -------------------------------------------------------------------------------------

_ADMIN_WORDS = _words("""
    sheng shi zizhiqu sar province region district state division governorate prefecture county city
    municipality territory department autonomous special administrative capital
""")


def _compact(name: str) -> str:
    return "".join(t for t in _basic_tokens(name) if t not in _ADMIN_WORDS)


@cache
def _country_words() -> frozenset[str]:
    names = [getattr(c, attribute, "") for c in pycountry.countries for attribute in ("name", "common_name")]
    return frozenset(_compact(n) for n in names if n) - {""}


@lru_cache(maxsize=512)
def place_words(country: str) -> frozenset[str]:
    """Names of the country's ISO 3166-2 subdivisions and of all countries, spaces removed.

    "Shanghai" in "Shanghai Weijie Garment" says where the company is registered, not which
    company it is, so place names in a site name weigh less than distinctive words. Multi-word
    names are kept joined ("dongnai"); the scorer joins adjacent name words to look them up."""
    code = country.upper()
    subdivisions = {_compact(s.name) for s in pycountry.subdivisions if s.country_code == code}
    return frozenset(subdivisions - {""}) | _country_words()
