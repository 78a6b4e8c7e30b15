"""What staff alerts say, in the shop's language ([shop] default_language).

Each alert is a title (also the SMS) and a few lines for the email; {names} are filled in from
the alert's facts. Kept here rather than in templates because the facts differ per alert while
the `staff_alert` template only lays out a title and lines.
"""

from __future__ import annotations

TEXT: dict[str, dict[str, tuple[str, list[str]]]] = {
    "delivery_late": {
        "en": ("Order {order} is late: promised {date}", ["{carrier} {tracking}", "The customer has been told{new_date_en}.", "Set the new date with `shopcare delivery update {order} --eta DATE`."]),
        "pl": ("Zamówienie {order} się spóźnia: obiecane na {date}", ["{carrier} {tracking}", "Klient został poinformowany{new_date_pl}.", "Nowy termin: `shopcare delivery update {order} --eta DATA`."]),
        "lt": ("Užsakymas {order} vėluoja: žadėta {date}", ["{carrier} {tracking}", "Klientui pranešta{new_date_lt}.", "Naują datą nustatykite: `shopcare delivery update {order} --eta DATA`."]),
        "ru": ("Заказ {order} опаздывает: обещан на {date}", ["{carrier} {tracking}", "Клиенту сообщили{new_date_ru}.", "Новую дату задайте: `shopcare delivery update {order} --eta ДАТА`."]),
    },
    "delivery_slipped": {
        "en": ("Order {order} will be late: new date {eta}", ["Promised for {date}; the customer has been told the new date."]),
        "pl": ("Zamówienie {order} się spóźni: nowy termin {eta}", ["Obiecane na {date}; klient dostał nowy termin."]),
        "lt": ("Užsakymas {order} vėluos: nauja data {eta}", ["Žadėta {date}; klientui pranešta nauja data."]),
        "ru": ("Заказ {order} опоздает: новая дата {eta}", ["Обещан на {date}; клиенту сообщили новую дату."]),
    },
    "delivery_problem": {
        "en": ("Delivery of order {order}: {problem}", ["{carrier} {tracking}: {status}", "{note}", "The customer has not been told; contact them."]),
        "pl": ("Dostawa zamówienia {order}: {problem}", ["{carrier} {tracking}: {status}", "{note}", "Klient nie został poinformowany; skontaktuj się z nim."]),
        "lt": ("Užsakymo {order} pristatymas: {problem}", ["{carrier} {tracking}: {status}", "{note}", "Klientui nepranešta; susisiekite su juo."]),
        "ru": ("Доставка заказа {order}: {problem}", ["{carrier} {tracking}: {status}", "{note}", "Клиенту не сообщали; свяжитесь с ним."]),
    },
    "order_at_risk": {
        "en": ("Order {order} is not shipped; promised for {date}", ["Ship it today, or set a new date and the customer is told."]),
        "pl": ("Zamówienie {order} nie jest wysłane; obiecane na {date}", ["Wyślij je dziś albo ustal nowy termin: klient zostanie poinformowany."]),
        "lt": ("Užsakymas {order} neišsiųstas; žadėta {date}", ["Išsiųskite šiandien arba nustatykite naują datą: klientui bus pranešta."]),
        "ru": ("Заказ {order} не отправлен; обещан на {date}", ["Отправьте сегодня или задайте новую дату: клиенту сообщат."]),
    },
    "refund_due": {
        "en": ("Refund for return {id} (order {order}) is due {date}", ["{items}", "`shopcare return refund {id}` once the money is sent."]),
        "pl": ("Zwrot pieniędzy za zwrot {id} (zamówienie {order}) do {date}", ["{items}", "Po przelewie: `shopcare return refund {id}`."]),
        "lt": ("Grąžinimo {id} (užsakymas {order}) pinigus grąžinti iki {date}", ["{items}", "Pervedus: `shopcare return refund {id}`."]),
        "ru": ("Возврат денег по возврату {id} (заказ {order}) до {date}", ["{items}", "После перевода: `shopcare return refund {id}`."]),
    },
    "refund_overdue": {
        "en": ("OVERDUE: refund for return {id} (order {order}) was due {date}", ["{items}", "The law requires the refund by that date."]),
        "pl": ("PO TERMINIE: zwrot pieniędzy za zwrot {id} (zamówienie {order}) był do {date}", ["{items}", "Prawo wymaga zwrotu pieniędzy w tym terminie."]),
        "lt": ("PAVĖLUOTA: grąžinimo {id} (užsakymas {order}) pinigai turėjo būti grąžinti iki {date}", ["{items}", "Įstatymas reikalauja grąžinti pinigus iki šios datos."]),
        "ru": ("ПРОСРОЧЕНО: возврат денег по возврату {id} (заказ {order}) должен был быть до {date}", ["{items}", "Закон требует вернуть деньги до этой даты."]),
    },
    "complaint_due": {
        "en": ("Complaint {id} (order {order}) must be answered by {date}", ["{silence}", "`shopcare complaint answer {id} --decision ... --text ...`"]),
        "pl": ("Reklamacja {id} (zamówienie {order}): odpowiedź do {date}", ["{silence}", "`shopcare complaint answer {id} --decision ... --text ...`"]),
        "lt": ("Pretenzija {id} (užsakymas {order}): atsakyti iki {date}", ["{silence}", "`shopcare complaint answer {id} --decision ... --text ...`"]),
        "ru": ("Претензия {id} (заказ {order}): ответить до {date}", ["{silence}", "`shopcare complaint answer {id} --decision ... --text ...`"]),
    },
    "complaint_overdue": {
        "en": ("OVERDUE: complaint {id} (order {order}) was due {date}", ["{silence}"]),
        "pl": ("PO TERMINIE: reklamacja {id} (zamówienie {order}) była do {date}", ["{silence}"]),
        "lt": ("PAVĖLUOTA: pretenzija {id} (užsakymas {order}) turėjo būti atsakyta iki {date}", ["{silence}"]),
        "ru": ("ПРОСРОЧЕНО: претензия {id} (заказ {order}) — срок был {date}", ["{silence}"]),
    },
    "promise_due": {
        "en": ("Promise {id} to {customer} is due {date}", ["{what}", "`shopcare promise keep {id}` when it is kept."]),
        "pl": ("Obietnica {id} dla: {customer} — termin {date}", ["{what}", "Po spełnieniu: `shopcare promise keep {id}`."]),
        "lt": ("Pažadas {id} (klientas: {customer}) — terminas {date}", ["{what}", "Įvykdžius: `shopcare promise keep {id}`."]),
        "ru": ("Обещание {id} (клиент: {customer}) — срок {date}", ["{what}", "Когда выполнено: `shopcare promise keep {id}`."]),
    },
    "inquiry_due": {
        "en": ("Email from {sender} must be answered by {time}", ["Subject: {subject}", "{order_line}", "Inquiry {id}. Answer from your mail client; shopcare sees the reply in Sent."]),
        "pl": ("Mail od: {sender} — odpowiedź do {time}", ["Temat: {subject}", "{order_line}", "Zapytanie {id}. Odpowiedz ze swojej poczty; shopcare zobaczy odpowiedź w Wysłanych."]),
        "lt": ("Laiškas nuo: {sender} — atsakyti iki {time}", ["Tema: {subject}", "{order_line}", "Užklausa {id}. Atsakykite iš savo pašto; shopcare pamatys atsakymą Išsiųstuose."]),
        "ru": ("Письмо от: {sender} — ответить до {time}", ["Тема: {subject}", "{order_line}", "Обращение {id}. Ответьте из своей почты; shopcare увидит ответ в Отправленных."]),
    },
    "messages_failed": {
        "en": ("{count} message(s) to customers could not be sent", ["{lines}", "Fix the contact or the template, then `shopcare outbox retry ID`."]),
        "pl": ("Nie udało się wysłać {count} wiadomości do klientów", ["{lines}", "Popraw kontakt lub szablon, potem `shopcare outbox retry ID`."]),
        "lt": ("Nepavyko išsiųsti {count} žinučių klientams", ["{lines}", "Pataisykite kontaktą ar šabloną, tada `shopcare outbox retry ID`."]),
        "ru": ("Не удалось отправить сообщений клиентам: {count}", ["{lines}", "Исправьте контакт или шаблон, затем `shopcare outbox retry ID`."]),
    },
    "channel_down": {
        "en": ("{channel} sending is failing", ["Since {since}: {error}", "{waiting} message(s) wait and will be sent when it works again; nothing is lost.", "`shopcare outbox list` shows them."]),
        "pl": ("Wysyłka {channel} nie działa", ["Od {since}: {error}", "Czeka {waiting} wiadomości; zostaną wysłane, gdy zacznie działać. Nic nie ginie.", "`shopcare outbox list` je pokaże."]),
        "lt": ("{channel} siuntimas neveikia", ["Nuo {since}: {error}", "Laukia {waiting} žinučių; bus išsiųstos, kai vėl veiks. Niekas neprarandama.", "`shopcare outbox list` jas parodys."]),
        "ru": ("Отправка {channel} не работает", ["С {since}: {error}", "Ждут отправки: {waiting}; уйдут, когда заработает. Ничего не теряется.", "`shopcare outbox list` покажет их."]),
    },
    "sms_cap": {
        "en": ("Daily SMS cap reached", ["{cap} SMS parts were sent today; further SMS wait until tomorrow.", "Raise [sms] daily_cap to send more."]),
        "pl": ("Dzienny limit SMS wyczerpany", ["Wysłano dziś {cap} części SMS; kolejne SMS poczekają do jutra.", "Aby wysłać więcej, zwiększ [sms] daily_cap."]),
        "lt": ("Pasiektas dienos SMS limitas", ["Šiandien išsiųsta {cap} SMS dalių; kitos SMS lauks iki rytojaus.", "Norėdami siųsti daugiau, padidinkite [sms] daily_cap."]),
        "ru": ("Дневной лимит SMS исчерпан", ["Сегодня отправлено частей SMS: {cap}; остальные SMS подождут до завтра.", "Чтобы отправлять больше, увеличьте [sms] daily_cap."]),
    },
    "mail_set_aside": {
        "en": ("A customer email needs a person: {reason}", ["From: {sender}", "Subject: {subject}", "It is recorded as inquiry {id}; no automatic answer was sent."]),
        "pl": ("Mail od klienta wymaga uwagi: {reason}", ["Od: {sender}", "Temat: {subject}", "Zapisano jako zapytanie {id}; nie wysłano automatycznej odpowiedzi."]),
        "lt": ("Kliento laiškui reikia žmogaus: {reason}", ["Nuo: {sender}", "Tema: {subject}", "Įrašyta kaip užklausa {id}; automatinis atsakymas nesiųstas."]),
        "ru": ("Письмо клиента требует внимания: {reason}", ["От: {sender}", "Тема: {subject}", "Записано как обращение {id}; автоответ не отправлен."]),
    },
}


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def staff_text(code: str, lang: str, **facts) -> tuple[str, list[str]]:
    """The title and lines of alert `code` in `lang` (English when a language lacks it)."""
    entry = TEXT[code].get(lang) or TEXT[code]["en"]
    values = _Blank({k: ("" if v is None else str(v)) for k, v in facts.items()})
    title = entry[0].format_map(values)
    lines = [line.format_map(values).strip() for line in entry[1]]
    return title, [line for line in lines if line and line not in (":", "-")]
