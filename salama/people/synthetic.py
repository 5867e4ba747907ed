"""Deterministic synthetic persons for demo data and benchmarks.

Nothing is downloaded: the name pools below are embedded.  They follow the migration
corridors a protection caseload sees (West Africa, the Horn of Africa, the Arab world, Syria,
Afghanistan and Pakistan, Ukraine and Russia, Latin America, South and South-East Asia,
Nigeria), each with names in Zipf-like frequency, so that at 1,000,000 persons a common given
name recurs tens of thousands of times ("Mohammed") and a common full name hundreds of times
("Mamadou Diallo", about 770), as issue 3 describes a real caseload.
That is what makes name search hard (docs/design.md#search-over-encrypted-names): a query for a
common name has a namesake ceiling that no engine can beat without the birth date.

Part of the records are written in Arabic, Cyrillic or Ethiopic script; ``canonical_latin``
always holds the Latin spelling used as ground truth.  ``spelling_variant`` and
``other_script_variant`` build benchmark queries from it.

The persons are fictional; any likeness to a real person is the likeness of common names.
"""

from __future__ import annotations

import random
import unicodedata
from bisect import bisect
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from itertools import accumulate

from anyascii import anyascii

__all__ = [
    "SCRIPTS",
    "SyntheticPerson",
    "generate_people",
    "other_script_variant",
    "script_spellings",
    "spelling_variant",
    "variant_groups",
]

SCRIPTS = ("latin", "arabic", "cyrillic", "ethiopic")

# Ages are computed against a fixed day so that a seed always gives the same birth dates.
_REFERENCE_DAY = date(2025, 1, 1)


@dataclass(frozen=True, slots=True)
class SyntheticPerson:
    given_name: str
    family_name: str
    script: str
    sex: str
    date_of_birth: date
    nationality: str
    canonical_latin: str


# --------------------------------------------------------------------------------------------
# Name pools.  One entry per line, most frequent first; "Latin = script spelling" where the
# name is also written in another script, or several Latin-only names on a line, comma-separated.
# --------------------------------------------------------------------------------------------

_ARABIC_MALE = """
Mohammed = محمد
Ahmed = أحمد
Mohamed = محمد
Ali = علي
Mahmoud = محمود
Omar = عمر
Hassan = حسن
Muhammad = محمد
Hussein = حسين
Ibrahim = إبراهيم
Mustafa = مصطفى
Khaled = خالد
Youssef = يوسف
Abdullah = عبد الله
Abdul Rahman = عبد الرحمن
Said = سعيد
Karim = كريم
Tariq = طارق
Yasser = ياسر
Walid = وليد
Samir = سمير
Adel = عادل
Jamal = جمال
Nabil = نبيل
Osama = أسامة
Hamza = حمزة
Bilal = بلال
Anas = أنس
Salah = صلاح
Ayman = أيمن
Majid = ماجد
Nasser = ناصر
Faisal = فيصل
Ismail = إسماعيل
Idris = إدريس
Suleiman = سليمان
Musa = موسى
Issa = عيسى
Yahya = يحيى
Zakaria = زكريا
Abdelaziz = عبد العزيز
Abdelkader = عبد القادر
Hisham = هشام
Haitham = هيثم
Marwan = مروان
Qasim = قاسم
Murad = مراد
Hamid = حامد
Rashid = راشد
Saleh = صالح
Mansour = منصور
Emad = عماد
Wael = وائل
Tamer = تامر
Hazem = حازم
Zuhair = زهير
Fadi = فادي
Rami = رامي
Ziad = زياد
Mahdi = مهدي
Raed = رائد
Ammar = عمار
Bashir = بشير
Kamal = كمال
Adnan = عدنان
Ashraf = أشرف
Othman = عثمان
Sami = سامي
Hani = هاني
Ghassan = غسان
Firas = فراس
Mazen = مازن
Badr = بدر
Taha = طه
Yassin = ياسين
Abbas = عباس
Jaber = جابر
Fares = فارس
Ayoub = أيوب
Younes = يونس
Amr = عمرو
Gamal = جمال
Abdelrahim = عبد الرحيم
"""

_ARABIC_FEMALE = """
Fatima = فاطمة
Aisha = عائشة
Maryam = مريم
Zainab = زينب
Khadija = خديجة
Amina = أمينة
Nour = نور
Sara = سارة
Huda = هدى
Rania = رانيا
Layla = ليلى
Asma = أسماء
Samira = سميرة
Noura = نورة
Salma = سلمى
Yasmin = ياسمين
Rasha = رشا
Dina = دينا
Reem = ريم
Heba = هبة
Mona = منى
Amal = أمل
Iman = إيمان
Suad = سعاد
Hanan = حنان
Nadia = نادية
Samar = سمر
Lina = لينا
Rahma = رحمة
Safaa = صفاء
Wafaa = وفاء
Ghada = غادة
Abeer = عبير
Zahra = زهراء
Shaimaa = شيماء
Doaa = دعاء
Aya = آية
Malak = ملاك
Rawan = روان
Nawal = نوال
Jamila = جميلة
Latifa = لطيفة
Halima = حليمة
Sumaya = سمية
Najwa = نجوى
Hajar = هاجر
Bushra = بشرى
Israa = إسراء
Manal = منال
Lubna = لبنى
Hiba = هبة
"""

_ARABIC_FAMILY = """
Al-Sayed = السيد
Hassan = حسن
Mohammed = محمد
Ahmed = أحمد
Ali = علي
Al-Hassan = الحسن
Ibrahim = إبراهيم
Abdallah = عبد الله
Osman = عثمان
Mahmoud = محمود
Hussein = حسين
Al-Masri = المصري
Al-Obaidi = العبيدي
Al-Jubouri = الجبوري
Al-Tamimi = التميمي
Al-Shammari = الشمري
Al-Dulaimi = الدليمي
Al-Zubaidi = الزبيدي
Abdelrahman = عبد الرحمن
Saleh = صالح
Khalil = خليل
Mustafa = مصطفى
Youssef = يوسف
Omar = عمر
Adam = آدم
Idris = إدريس
Musa = موسى
Suleiman = سليمان
Haroun = هارون
Ismail = إسماعيل
Abdelaziz = عبد العزيز
El-Sheikh = الشيخ
Al-Hashimi = الهاشمي
Al-Amri = العمري
Al-Harbi = الحربي
Al-Qahtani = القحطاني
Mansour = منصور
Nasser = ناصر
Salem = سالم
Said = سعيد
Ben Ali = بن علي
Alaoui = العلوي
Benjelloun = بنجلون
Mahjoub = محجوب
Farah = فرح
Hamdan = حمدان
Zidan = زيدان
Hamad = حمد
Eid = عيد
Ramadan = رمضان
Gaber = جابر
Ghoneim = غنيم
Shehata = شحاتة
Fathi = فتحي
El-Amin = الأمين
Bakri = بكري
Abdelkarim = عبد الكريم
Al-Bashir = البشير
"""

_SYRIAN_FAMILY = """
Al-Ahmad = الأحمد
Al-Hamoud = الحمود
Al-Khalil = الخليل
Kurdi = كردي
Haddad = حداد
Al-Hussein = الحسين
Najjar = نجار
Sabbagh = صباغ
Al-Ali = العلي
Shami = شامي
Darwish = درويش
Al-Mohammed = المحمد
Al-Halabi = الحلبي
Al-Hamwi = الحموي
Al-Omar = العمر
Al-Saleh = الصالح
Hamdan = حمدان
Al-Issa = العيسى
Mansour = منصور
Khoury = خوري
Attar = عطار
Al-Hariri = الحريري
Al-Zoubi = الزعبي
Al-Rifai = الرفاعي
Qassem = قاسم
Al-Najjar = النجار
Al-Hassan = الحسن
Al-Abdullah = العبد الله
Al-Khatib = الخطيب
Jabr = جبر
Hammoud = حمود
Suleiman = سليمان
Al-Sheikh = الشيخ
Mahmoud = محمود
Ibrahim = إبراهيم
Al-Masri = المصري
Othman = عثمان
Al-Kurdi = الكردي
Al-Hallak = الحلاق
Yassin = ياسين
"""

# Dari, Pashto and Urdu spellings (Persian yeh ی and keheh ک).
_AFGHAN_MALE = """
Mohammad = محمد
Ahmad = احمد
Ali = علی
Abdullah = عبدالله
Mustafa = مصطفی
Hamid = حامد
Rahim = رحیم
Karim = کریم
Jawad = جواد
Reza = رضا
Hussain = حسین
Naveed = نوید
Imran = عمران
Bilal = بلال
Hamza = حمزه
Zubair = زبیر
Asad = اسد
Farid = فرید
Javed = جاوید
Sohail = سهیل
Shafiq = شفیق
Wahid = وحید
Nasir = ناصر
Zahir = ظاهر
Aziz = عزیز
Habib = حبیب
Gul = گل
Sardar = سردار
Noor = نور
Mirwais = میرویس
Ehsan = احسان
Usman = عثمان
Samiullah = سمیع الله
Rahmatullah = رحمت الله
Najibullah = نجیب الله
Hayatullah = حیات الله
Ahmad Shah = احمد شاه
Jamshid = جمشید
Omid = امید
Morteza = مرتضی
Abdul Wahab = عبدالوهاب
Ismail = اسماعیل
Bashir = بشیر
Tariq = طارق
Waqas = وقاص
Adnan = عدنان
Kamran = کامران
Shahid = شاهد
Faisal = فیصل
Arif = عارف
"""

_AFGHAN_FEMALE = """
Fatima = فاطمه
Maryam = مریم
Zahra = زهرا
Shabnam = شبنم
Farzana = فرزانه
Nargis = نرگس
Parwana = پروانه
Marzia = مرضیه
Sakina = سکینه
Habiba = حبیبه
Nasrin = نسرین
Khadija = خدیجه
Madina = مدینه
Freshta = فرشته
Gulalai = گلالی
Malalai = ملالی
Ayesha = عایشه
Bushra = بشری
Nazia = نازیه
Rukhsana = رخسانه
Saima = صائمه
Asma = اسما
Sadia = سعدیه
Shazia = شازیه
Hina = حنا
Roya = رویا
Mahbooba = محبوبه
Zarghuna = زرغونه
"""

_AFGHAN_FAMILY = """
Ahmadi = احمدی
Mohammadi = محمدی
Rahimi = رحیمی
Hussaini = حسینی
Karimi = کریمی
Khan = خان
Noori = نوری
Sultani = سلطانی
Stanekzai = ستانکزی
Popal = پوپل
Safi = صافی
Hakimi = حکیمی
Azizi = عزیزی
Jalali = جلالی
Amiri = امیری
Haidari = حیدری
Rezaei = رضایی
Sadat = سادات
Wardak = وردک
Durrani = درانی
Yousafzai = یوسفزی
Afridi = آفریدی
Shinwari = شینواری
Niazi = نیازی
Qureshi = قریشی
Malik = ملک
Chaudhry = چودھری
Hussain = حسین
Raza = رضا
Akhtar = اختر
Iqbal = اقبال
Shah = شاه
Nazari = نظری
Mohammadzai = محمدزی
Ahmadzai = احمدزی
Popalzai = پوپلزی
Barakzai = بارکزی
Habibi = حبیبی
Sharifi = شریفی
Hotak = هوتک
"""

# Ukrainian national transliteration first, then Russian names.
_SLAVIC_MALE = """
Oleksandr = Олександр
Andrii = Андрій
Serhii = Сергій
Dmytro = Дмитро
Volodymyr = Володимир
Mykola = Микола
Ivan = Іван
Yurii = Юрій
Oleh = Олег
Vasyl = Василь
Viktor = Віктор
Maksym = Максим
Artem = Артем
Bohdan = Богдан
Taras = Тарас
Vitalii = Віталій
Ihor = Ігор
Petro = Петро
Roman = Роман
Denys = Денис
Yevhen = Євген
Anatolii = Анатолій
Pavlo = Павло
Mykhailo = Михайло
Oleksii = Олексій
Vladyslav = Владислав
Stanislav = Станіслав
Nazar = Назар
Yaroslav = Ярослав
Kyrylo = Кирило
Aleksandr = Александр
Sergei = Сергей
Dmitry = Дмитрий
Andrei = Андрей
Alexei = Алексей
Mikhail = Михаил
Nikolai = Николай
Vladimir = Владимир
Yuri = Юрий
Igor = Игорь
Evgeny = Евгений
Pavel = Павел
"""

_SLAVIC_FEMALE = """
Olena = Олена
Tetiana = Тетяна
Nataliia = Наталія
Iryna = Ірина
Svitlana = Світлана
Oksana = Оксана
Yuliia = Юлія
Kateryna = Катерина
Mariia = Марія
Anna = Анна
Hanna = Ганна
Liudmyla = Людмила
Valentyna = Валентина
Halyna = Галина
Olha = Ольга
Viktoriia = Вікторія
Larysa = Лариса
Nadiia = Надія
Alina = Аліна
Anastasiia = Анастасія
Daria = Дар'я
Sofiia = Софія
Khrystyna = Христина
Inna = Інна
Lesia = Леся
Zoriana = Зоряна
Elena = Елена
Tatiana = Татьяна
Natalia = Наталья
Irina = Ирина
Svetlana = Светлана
Olga = Ольга
Ekaterina = Екатерина
Yulia = Юлия
Maria = Мария
"""

_SLAVIC_FAMILY = """
Shevchenko = Шевченко
Kovalenko = Коваленко
Bondarenko = Бондаренко
Tkachenko = Ткаченко
Kravchenko = Кравченко
Boiko = Бойко
Kovalchuk = Ковальчук
Oliinyk = Олійник
Shevchuk = Шевчук
Polishchuk = Поліщук
Melnyk = Мельник
Kravets = Кравець
Lysenko = Лисенко
Marchenko = Марченко
Moroz = Мороз
Rudenko = Руденко
Savchenko = Савченко
Petrenko = Петренко
Pavlenko = Павленко
Klymenko = Клименко
Tkachuk = Ткачук
Koval = Коваль
Ponomarenko = Пономаренко
Levchenko = Левченко
Karpenko = Карпенко
Vasylenko = Василенко
Savchuk = Савчук
Kuzmenko = Кузьменко
Hrytsenko = Гриценко
Zinchenko = Зінченко
Honcharenko = Гончаренко
Kostenko = Костенко
Ivanenko = Іваненко
Ivanov = Иванов
Smirnov = Смирнов
Kuznetsov = Кузнецов
Popov = Попов
Petrov = Петров
Sokolov = Соколов
Volkov = Волков
Morozov = Морозов
Novikov = Новиков
Fedorov = Фёдоров
"""

# Tigrinya and Amharic names; family names are mostly the father's given name.
_HABESHA_MALE = """
Tesfay = ተስፋይ
Yonas = ዮናስ
Daniel = ዳንኤል
Samuel = ሳሙኤል
Yohannes = ዮሃንስ
Filmon = ፊልሞን
Biniam = ቢንያም
Amanuel = ኣማኑኤል
Habtom = ሃብቶም
Kibrom = ክብሮም
Mehari = መሓሪ
Robel = ሮቤል
Henok = ሄኖክ
Mussie = ሙሴ
Efrem = ኤፍሬም
Tedros = ቴድሮስ
Ermias = ኤርምያስ
Goitom = ጎይቶም
Berhane = ብርሃነ
Semere = ሰመረ
Fitsum = ፍጹም
Mebrahtu = መብራህቱ
Abel = ኣቤል
Dawit = ዳዊት
Solomon = ሰለሞን
Haile = ሃይለ
Tekle = ተክለ
Girmay = ግርማይ
Hagos = ሓጎስ
Kidane = ኪዳነ
Tsegay = ጸጋይ
Abraham = ኣብርሃም
Isaias = ኢሳይያስ
Yemane = የማነ
Mesfin = መስፍን
Tesfaye = ተስፋዬ
Getachew = ጌታቸው
Girma = ግርማ
Alemu = ኣለሙ
Bereket = በረከት
Natnael = ናትናኤል
Eyob = እዮብ
"""

_HABESHA_FEMALE = """
Selam = ሰላም
Helen = ሄለን
Senait = ሰናይት
Luwam = ሉዋም
Yordanos = ዮርዳኖስ
Aster = ኣስቴር
Almaz = ኣልማዝ
Meron = ሜሮን
Rahel = ራሄል
Saba = ሳባ
Mihret = ምሕረት
Hiwet = ሕይወት
Elsa = ኤልሳ
Feven = ፌቨን
Winta = ዊንታ
Selamawit = ሰላማዊት
Tsega = ጸጋ
Abeba = ኣበባ
Semhar = ሰምሃር
Ruta = ሩታ
Lidia = ሊድያ
Tigist = ትዕግስቲ
Freweini = ፍረወይኒ
Hanna = ሃና
Mekdes = መቅደስ
Betelhem = ቤተልሄም
Eden = ኤደን
Sara = ሳራ
Netsanet = ነጻነት
"""

_HABESHA_FAMILY = """
Tesfay = ተስፋይ
Gebremedhin = ገብረመድህን
Tekle = ተክለ
Haile = ሃይለ
Gebremariam = ገብረማርያም
Kidane = ኪዳነ
Berhe = በርሀ
Gebreyesus = ገብረየሱስ
Tesfamariam = ተስፋማርያም
Abraha = ኣብርሃ
Hagos = ሓጎስ
Kahsay = ካሕሳይ
Woldemichael = ወልደሚካኤል
Weldu = ወልዱ
Tewelde = ተወልደ
Negash = ነጋሽ
Girmay = ግርማይ
Asmerom = ኣስመሮም
Zerai = ዘርኣይ
Mehari = መሓሪ
Ghebreab = ገብረኣብ
Habte = ሃብተ
Mengistu = መንግስቱ
Tadesse = ታደሰ
Bekele = በቀለ
Kebede = ከበደ
Desta = ደስታ
Worku = ወርቁ
Assefa = ኣሰፋ
Ayele = ኣየለ
Demissie = ደምሴ
Yemane = የማነ
Mesfin = መስፍን
Teklehaimanot = ተክለሃይማኖት
Fessehaye = ፍስሃየ
Solomon = ሰለሞን
Goitom = ጎይቶም
Yohannes = ዮሃንስ
"""

_SOMALI_MALE = """
Mohamed, Abdi, Abdullahi, Ahmed, Ali, Hassan, Omar, Abdirahman, Yusuf, Ibrahim
Abdikarim, Abdirizak, Mustafe, Farah, Hussein, Ismail, Osman, Said, Liban, Guled
Bashir, Khalid, Mahad, Abdiaziz, Hamza, Mohamud, Abdiwali, Sharmarke, Ayanle, Nuur
"""

_SOMALI_FEMALE = """
Fadumo, Hodan, Amina, Ayan, Halima, Asha, Sahra, Hawa, Khadra, Safiya
Nimco, Ifrah, Hibo, Sagal, Muna, Ladan, Deqa, Ubah, Maryan, Sucaad, Caasha, Faduma
"""

_SOMALI_FAMILY = """
Mohamed, Ahmed, Ali, Hassan, Abdi, Farah, Omar, Hussein, Yusuf, Osman
Warsame, Jama, Abdullahi, Mohamud, Ismail, Aden, Hirsi, Egal, Nur, Dahir
Elmi, Gedi, Samatar, Abdille, Isse, Mohamoud, Guled, Barre, Duale, Awale
"""

_WEST_AFRICA_MALE = """
Mamadou, Ibrahima, Ousmane, Abdoulaye, Moussa, Amadou, Mohamed, Souleymane, Boubacar, Sékou
Alpha, Lamine, Modou, Cheikh, Oumar, Aliou, Issa, Adama, Seydou, Bakary
Lansana, Mamadi, Abou, Karim, Yacouba, Idrissa, Saliou, Thierno, Demba, Samba
Ousseynou, Malick, Fodé, Kalilou, Sidiki, Drissa, Daouda, Lassana, Mory, Ansoumane
Alhassane, Bangaly, Famara, Ebrima, Lamin, Momodou, Alieu, Foday, Sheku, Abubakarr
Sorie, Alusine, Yaya, Oumarou, Hamidou, Moctar, Cheick, Siaka, Mamoudou, Aboubacar
"""

_WEST_AFRICA_FEMALE = """
Aminata, Fatoumata, Mariama, Kadiatou, Aïssatou, Hawa, Fanta, Mariam, Awa, Aïcha
Djénéba, Oumou, Kadidja, Rokia, Salimata, Adama, Ramatoulaye, Fatou, Binta, Nafissatou
Khady, Coumba, Ndeye, Astou, Mame, Sira, Assétou, Bintou, Haby, Isatou
Mariatu, Kadiatu, Fatmata, Hawanatu, Aminatou, Maimouna, Sokhna, Dieynaba, Penda, Safiatou
"""

_WEST_AFRICA_FAMILY = """
Diallo, Bah, Barry, Sow, Camara, Traoré, Koné, Touré, Keïta, Coulibaly
Diarra, Sylla, Cissé, Konaté, Kouyaté, Sangaré, Doumbia, Sacko, Dembélé, Soumah
Condé, Kaba, Kanté, Fofana, Diakité, Ndiaye, Diop, Fall, Sarr, Gueye
Ba, Mbaye, Faye, Seck, Thiam, Ndour, Cissoko, Sidibé, Sanogo, Ouattara
Maïga, Bangoura, Sesay, Kamara, Kargbo, Conteh, Jalloh, Bangura, Turay, Jallow
Ceesay, Touray, Njie, Sanneh, Jobe, Darboe, Jammeh, Sonko, Badji, Baldé
"""

_NIGERIA_MALE = """
Chinedu, Emeka, Oluwaseun, Tunde, Ibrahim, Musa, Abubakar, Yusuf, Samuel, Daniel
David, Emmanuel, John, Joseph, Michael, Peter, Chukwuemeka, Ifeanyi, Obinna, Segun
Olumide, Babatunde, Adebayo, Kehinde, Taiwo, Godwin, Victor, Kelvin, Uche, Kingsley
Osagie, Osaretin, Efosa, Kwame, Kofi, Kwabena, Yaw, Ikechukwu, Nnamdi, Chibuike
"""

_NIGERIA_FEMALE = """
Blessing, Joy, Precious, Gift, Faith, Mercy, Favour, Esther, Grace, Patience
Chioma, Ngozi, Adaeze, Amaka, Funmilayo, Folake, Aisha, Zainab, Hauwa, Osas
Osarugue, Efe, Vivian, Happiness, Jennifer, Princess, Akosua, Ama, Abena, Ifeoma
"""

_NIGERIA_FAMILY = """
Okafor, Okonkwo, Eze, Nwosu, Obi, Adeyemi, Ogunleye, Adebayo, Bello, Abubakar
Mohammed, Ibrahim, Musa, Osagie, Omoregie, Igbinedion, Osaghae, Edosomwan, Aigbe, Uwaifo
Ehigiator, Okoro, Nwachukwu, Chukwu, Okeke, Balogun, Oyelaran, Usman, Danjuma, Mensah
Boateng, Asante, Owusu, Appiah, Oladipo, Akande, Olawale, Nwankwo, Ugwu, Iwu
"""

_LATIN_AMERICA_MALE = """
José, Juan, Luis, Carlos, Jesús, Miguel, José Luis, Juan Carlos, Jorge, Pedro
Francisco, Manuel, Antonio, Andrés, Daniel, David, Alejandro, Fernando, Ricardo, Eduardo
Javier, Oscar, Mario, Rafael, Víctor, Héctor, Julio, Sergio, Raúl, Wilmer
Kevin, Brayan, Jhon, Yeferson, Edwin, Nelson, Ángel, Diego, Santiago, Gabriel
Josué, Marvin, Elvis, Henry, José Manuel, Luis Fernando, Juan José, Cristian, Óscar, Jhonatan
"""

_LATIN_AMERICA_FEMALE = """
María, Ana, María José, Carmen, Rosa, Luz, Gabriela, Daniela, Andrea, Carolina
Valentina, Camila, Yuliana, Yesenia, Paola, Adriana, Patricia, Sandra, Claudia, Mónica
Alejandra, Fernanda, Sofía, Isabel, Marisol, Dayana, Yolanda, Gloria, Beatriz, Leidy
Karla, Jennifer, Wendy, María Fernanda, Ana María, Luz Marina, Yurany, Nathalia, Xiomara, Ángela
"""

_LATIN_AMERICA_FAMILY = """
García, Rodríguez, Martínez, Hernández, López, González, Pérez, Sánchez, Ramírez, Torres
Flores, Rivera, Gómez, Díaz, Cruz, Morales, Reyes, Gutiérrez, Ortiz, Jiménez
Ruiz, Álvarez, Mendoza, Castillo, Vásquez, Romero, Herrera, Medina, Aguilar, Vargas
Castro, Rojas, Moreno, Núñez, Muñoz, Peña, Suárez, Contreras, Guerrero, Salazar
Chávez, Mejía, Cárdenas, Ospina, Quintero, Zambrano, Paredes, Ríos, Acosta, Méndez
"""

_PHILIPPINES_MALE = """
Jose, Juan, Mark, John Paul, Michael, Jerome, Christian, Ryan, Jayson, Rodel
Romeo, Ramon, Eduardo, Rogelio, Arnel, Jun, Renato, Ronaldo, Jomar, Dennis
"""

_PHILIPPINES_FEMALE = """
Maria, Mary Grace, Jennifer, Maricel, Rowena, Lorna, Marites, Rosalie, Joy, Analyn
Cristina, Divina, Liza, Jocelyn, Rosemarie, Angelica, Marilou, Evelyn, Lourdes, Mylene
"""

_PHILIPPINES_FAMILY = """
Santos, Reyes, Cruz, Bautista, Garcia, Dela Cruz, Mendoza, Ramos, Aquino, Castillo
Villanueva, Gonzales, Fernandez, Lopez, Flores, Torres, Rivera, Soriano, Domingo, Pascual
Navarro, Mercado, Tolentino, Manalo, Dizon, De Guzman, Valdez, Salvador, Gutierrez, Castro
"""

_VIETNAM_MALE = """
Hùng, Minh, Dũng, Tuấn, Nam, Long, Quang, Thành, Hải, Đức
Sơn, Phong, Huy, Khánh, Bảo, Cường, Tùng, Thắng, Hiếu, Trung
"""

_VIETNAM_FEMALE = """
Lan, Hương, Linh, Trang, Thảo, Hoa, Mai, Ngọc, Hà, Thu
Hằng, Phương, Nhung, Yến, Vy, Huyền, Loan, Dung, Nga, Tuyết
"""

_VIETNAM_FAMILY = """
Nguyễn, Trần, Lê, Phạm, Hoàng, Huỳnh, Phan, Vũ, Võ, Đặng
Bùi, Đỗ, Hồ, Ngô, Dương, Lý
"""

# Burmese names have no family name; the registration's "family name" field usually holds the
# later syllables of the personal name.
_MYANMAR_MALE = """
Aung, Kyaw, Zaw, Min, Htet, Thant, Win, Myint, Soe, Naing
Tun, Ko, Thura, Hlaing, Phyo, Lwin, Oo, Htun, Nay, Wai
"""

_MYANMAR_FEMALE = """
Mya, Hnin, Su, Thandar, Khin, Ei, Phyu, Nwe, Aye, Thiri
Yadanar, Wai, May, Zin, Myat, Thet, Moe, Sandar, Nilar, Cho
"""

_BANGLADESH_MALE = """
Mohammad, Md, Abdul, Rafiqul, Shahidul, Aminul, Kamrul, Mizanur, Habibur, Anisur
Jahangir, Alamgir, Sohel, Rubel, Shakil, Rasel, Nazmul, Saiful, Arif, Rakib, Hasan
"""

_BANGLADESH_FEMALE = """
Nasima, Rahima, Shahnaz, Farida, Rina, Shirin, Nasrin, Salma, Sumaiya, Taslima
Rokeya, Shapla, Mousumi, Sharmin, Sabina, Jesmin, Fatema, Ayesha, Khadija, Rupa
"""

_BANGLADESH_FAMILY = """
Islam, Hossain, Rahman, Ahmed, Uddin, Miah, Sheikh, Sarkar, Chowdhury, Alam
Haque, Karim, Molla, Mondal, Talukder, Bhuiyan, Das, Roy, Ali, Khan
"""

_BANGLADESH_FEMALE_FAMILY = """
Akter, Begum, Khatun, Islam, Rahman, Sultana, Parvin, Hossain, Ahmed, Yeasmin
"""

_NEPAL_MALE = """
Ram, Krishna, Hari, Bishnu, Shyam, Gopal, Prakash, Rajesh, Suresh, Ramesh
Dipak, Bikash, Sanjay, Santosh, Ram Bahadur, Dil Bahadur, Man Bahadur, Kamal, Dinesh, Binod
"""

_NEPAL_FEMALE = """
Sita, Gita, Maya, Laxmi, Sarita, Sunita, Anita, Kamala, Radha, Parbati
Sabina, Manju, Rita, Sushila, Srijana, Sarmila, Bimala, Kabita, Pabitra, Durga
"""

_NEPAL_FAMILY = """
Shrestha, Tamang, Gurung, Rai, Magar, Thapa, Karki, Adhikari, Khadka, Basnet
Sharma, Poudel, Limbu, Lama, Bhandari, Bista, KC, Yadav, Chaudhary, Shah
"""

# Further spellings of names in the pools, for building cross-script queries.
_EXTRA_ARABIC = """
Mohammad = محمد
Mohamad = محمد
Muhammed = محمد
Ahmad = أحمد
Hasan = حسن
Hussain = حسين
Husein = حسين
Omer = عمر
Umar = عمر
Yusuf = يوسف
Yousef = يوسف
Khalid = خالد
Saeed = سعيد
Sulaiman = سليمان
Moustafa = مصطفى
Mostafa = مصطفى
Abdulrahman = عبد الرحمن
Abdallah = عبد الله
Abdulaziz = عبد العزيز
Fatma = فاطمة
Aicha = عائشة
Mariam = مريم
Zeinab = زينب
Leila = ليلى
Laila = ليلى
Noor = نور
Nur = نور
Yasmine = ياسمين
Houda = هدى
Djamal = جمال
Ismael = إسماعيل
Idriss = إدريس
Moussa = موسى
Isa = عيسى
Yahia = يحيى
Hamzah = حمزة
Amina = أمينة
"""

_EXTRA_CYRILLIC = """
Mohammed = Мохаммед
Muhammad = Мухаммад
Mohamed = Мохамед
Mohammad = Мохаммад
Ahmed = Ахмед
Ahmad = Ахмад
Ali = Али
Hassan = Хасан
Hussein = Хусейн
Omar = Омар
Ibrahim = Ибрагим
Youssef = Юсеф
Yusuf = Юсуф
Fatima = Фатима
Aisha = Аиша
Maryam = Марьям
Zainab = Зайнаб
Khaled = Халед
Khalid = Халид
Mahmoud = Махмуд
Mustafa = Мустафа
Abdullah = Абдулла
Ismail = Исмаил
Said = Саид
Karim = Карим
Amina = Амина
Mamadou = Мамаду
Diallo = Диалло
Hamza = Хамза
Bilal = Билал
Tariq = Тарик
Nour = Нур
Sara = Сара
Layla = Лейла
Rahim = Рахим
Jamal = Джамал
Osman = Осман
Usman = Усман
Idris = Идрис
Musa = Муса
Issa = Иса
Suleiman = Сулейман
Yahya = Яхья
Daniel = Даниэль
Samuel = Самуэль
Abraham = Абрахам
Alexander = Александр
Oleksander = Олександер
Sergey = Сергей
Dmitri = Дмитрий
Andrey = Андрей
Nikolay = Николай
Yuriy = Юрий
Evgenii = Евгений
Natalya = Наталья
Tatyana = Татьяна
Katerina = Катерина
Ganna = Ганна
"""

# Spellings of one name that registrations really produce, one group a line; "_" joins the
# words of a multi-word spelling.  Used to build realistic variant queries.
_VARIANT_GROUPS = """
Mohammed Muhammad Mohamed Mohammad Muhammed Mohamad Mohd
Ahmed Ahmad Ahmet
Mahmoud Mahmud Mahmood
Youssef Yusuf Yousef Youssouf Yusif Yousif
Hussein Hussain Husein Hossein Hussien
Hassan Hasan Hassane
Omar Umar Omer Oumar
Othman Uthman Osman Usman Ousmane
Mustafa Moustafa Mostafa Mustapha Mustafe
Ibrahim Ebrahim Ibrahima Brahim
Abdullah Abdallah Abdulla Abdullahi
Abdul_Rahman Abdulrahman Abdelrahman Abdirahman Abderrahmane Abd_al-Rahman
Abdelaziz Abdulaziz Abdiaziz Abdel_Aziz
Abdelkader Abdulkadir Abdelkadir Abdel_Kader
Khaled Khalid Khaleed
Said Saeed Saïd Sayed
Suleiman Sulaiman Souleymane Sulayman Suleyman
Ismail Ismael Ismaïl Esmail
Idris Idriss Driss Idrissa
Musa Moussa Mousa
Issa Isa Eissa
Yahya Yahia
Zakaria Zakariya Zakariyya Zacharia
Hamza Hamzah
Jamal Gamal Djamal
Yassin Yasin Yacine Yassine
Tariq Tarek Tarik
Nasser Naser Nasir
Faisal Faysal Faycal
Fatima Fatma Fatimah Fatuma Fatoumata Fatema
Aisha Aicha Aïcha Ayesha Aysha Aishah
Khadija Khadidja Kadidja Khadeeja
Maryam Mariam Meryem Mariama Maryan
Zainab Zeinab Zaynab
Amina Aminah Aminata
Nour Noor Nur Nuur
Layla Leila Laila Leyla
Yasmin Yasmine Jasmin
Huda Houda Hoda
Al-Sayed El-Sayed Al_Sayed Elsayed
Al-Hassan El-Hassan Al_Hassan Alhassan
Al-Masri El-Masri Almasri
Oleksandr Aleksandr Alexander Oleksander Alexandr Olexandr
Serhii Sergei Sergey Serhiy Sergii
Andrii Andrei Andrey Andriy
Dmytro Dmitry Dmitri Dmitrii
Volodymyr Vladimir Wolodymyr
Mykola Nikolai Nikolay Mikola
Yurii Yuri Yuriy Iurii
Oleksii Alexei Aleksei Alexey Oleksiy
Mykhailo Mikhail Mykhaylo Michail
Yevhen Evgeny Yevgeniy Evgenii
Ihor Igor
Vasyl Vasily Vasiliy
Oleh Oleg
Olena Elena Yelena Alena
Tetiana Tatiana Tatyana Tetyana
Nataliia Natalia Natalya Nataliya
Iryna Irina
Svitlana Svetlana
Yuliia Yulia Julia Iuliia
Hanna Ganna
Olha Olga
Kateryna Ekaterina Katerina Yekaterina
Mariia Maria Mariya María
Shevchenko Shevtchenko Schewtschenko
Kovalenko Kowalenko
Tesfay Tesfai Tesfaye
Yohannes Yohanes Johannes Yohannis
Mehari Mehary
Tsegay Tsegai Tsegaye
Girmay Ghirmay Girmai
Gebremedhin Ghebremedhin Gebremedhn
Gebremariam Ghebremariam
Berhane Berhan Birhane
Haile Hayle
Tekle Tecle Teklay
Mussie Musie
Biniam Biniyam Bniam
Mamadou Mamadu Mammadou Mamoudou
Amadou Ahmadou Amadu
Aminata Aminatta
Aïssatou Aissatou Aisatou Isatou
Ousmane Usmane Ousman
Abdoulaye Abdulai Abdoulay
Boubacar Aboubacar Abubakar Abubakarr Boubakar
Sékou Sekou Sheku
Lamine Lamin
Modou Momodou
Traoré Traore
Koné Kone
Touré Toure Turay Touray
Keïta Keita
Diallo Jallow Jalloh Djalo
Camara Kamara
Cissé Cisse Sissé
Ndiaye N'Diaye Ndiay
Coulibaly Kulibaly Koulibaly
Sesay Sisay
José Jose
Jesús Jesus
Rodríguez Rodriguez
Hernández Hernandez
González Gonzales Gonzalez
Vásquez Vasquez Vázquez
Nguyễn Nguyen Nguyên
Hossain Hussain Hossen Hosain
Rahman Rahaman Rehman
Akter Akhter Aktar Akhtar
Chowdhury Chowdhuri Choudhury Chaudhry Chaudhary
"""


class _Pool:
    """Names of one pool with Zipf weights by rank, drawn by one bisect."""

    __slots__ = ("cumulative", "latin", "script_form", "total")

    def __init__(self, text: str, exponent: float) -> None:
        entries = _parse_entries(text)
        self.latin: list[str] = [latin for latin, _ in entries]
        self.script_form: list[str | None] = [form for _, form in entries]
        weights = [1.0 / (rank + 1) ** exponent for rank in range(len(entries))]
        self.cumulative: list[float] = list(accumulate(weights))
        self.total: float = self.cumulative[-1]

    def draw(self, rng: random.Random) -> int:
        return bisect(self.cumulative, rng.random() * self.total)


def _parse_entries(text: str) -> list[tuple[str, str | None]]:
    entries: list[tuple[str, str | None]] = []
    for line in text.strip().splitlines():
        line = line.strip()
        if not line:
            continue
        if "=" in line:
            latin, form = (part.strip() for part in line.split("=", 1))
            entries.append((latin, form))
        else:
            entries.extend((name.strip(), None) for name in line.split(",") if name.strip())
    return entries


@dataclass(frozen=True, slots=True)
class _Corridor:
    weight: float
    nationalities: tuple[tuple[str, float], ...]
    male_share: float
    male: _Pool
    female: _Pool
    family: _Pool
    female_family: _Pool | None = None
    script: str = "latin"
    script_share: float = 0.0
    # Share of birth dates registered as 1 January of an estimated year.
    estimated_dob_share: float = 0.0
    # Share of records with a second given name: the father's name (Arabic, Somali, Tigrinya
    # naming) or a second own name (Fulani double names such as Mamadou Aliou).
    middle_share: float = 0.0
    middle_is_father: bool = True
    style: str = ""


# Zipf exponents of the name pools.  The pools hold the head of each corridor's names only (40
# to 100 names), so a steeper law would give the first names far more weight than a real
# population does: 0.9 and 0.8 made "Mamadou Diallo" and "Olena Shevchenko" recur 2,300 and
# 2,200 times in 1,000,000 persons, thousands rather than the hundreds of a real caseload.
_GIVEN_EXPONENT = 0.7
_FAMILY_EXPONENT = 0.5


def _shares(text: str) -> tuple[tuple[str, float], ...]:
    """ "GN:0.3 ML:0.2" -> (("GN", 0.3), ("ML", 0.2))."""
    return tuple((code, float(share)) for code, share in (p.split(":") for p in text.split()))


def _pools(male: str, female: str, family: str) -> tuple[_Pool, _Pool, _Pool]:
    return (
        _Pool(male, _GIVEN_EXPONENT),
        _Pool(female, _GIVEN_EXPONENT),
        _Pool(family, _FAMILY_EXPONENT),
    )


def _build_corridors() -> tuple[_Corridor, ...]:
    arabic_male, arabic_female, arabic_family = _pools(_ARABIC_MALE, _ARABIC_FEMALE, _ARABIC_FAMILY)
    syrian_family = _Pool(_SYRIAN_FAMILY, _FAMILY_EXPONENT)
    bangladesh = _pools(_BANGLADESH_MALE, _BANGLADESH_FEMALE, _BANGLADESH_FAMILY)
    myanmar_male = _Pool(_MYANMAR_MALE, 0.8)
    myanmar_female = _Pool(_MYANMAR_FEMALE, 0.8)
    return (
        _Corridor(
            0.18,
            _shares("GN:0.3 ML:0.2 SN:0.15 CI:0.12 GM:0.1 SL:0.08 BF:0.05"),
            0.72,
            *_pools(_WEST_AFRICA_MALE, _WEST_AFRICA_FEMALE, _WEST_AFRICA_FAMILY),
            estimated_dob_share=0.12,
            middle_share=0.3,
            middle_is_father=False,
        ),
        _Corridor(
            0.06,
            _shares("NG:0.85 GH:0.15"),
            0.45,
            *_pools(_NIGERIA_MALE, _NIGERIA_FEMALE, _NIGERIA_FAMILY),
            estimated_dob_share=0.05,
        ),
        _Corridor(
            0.08,
            _shares("ER:0.65 ET:0.35"),
            0.62,
            *_pools(_HABESHA_MALE, _HABESHA_FEMALE, _HABESHA_FAMILY),
            script="ethiopic",
            script_share=0.4,
            estimated_dob_share=0.1,
            middle_share=0.4,
        ),
        _Corridor(
            0.04,
            _shares("SO:1.0"),
            0.6,
            *_pools(_SOMALI_MALE, _SOMALI_FEMALE, _SOMALI_FAMILY),
            estimated_dob_share=0.2,
            middle_share=0.6,
        ),
        _Corridor(
            0.13,
            _shares("SD:0.3 EG:0.2 IQ:0.15 YE:0.1 LY:0.08 MA:0.1 DZ:0.04 TN:0.03"),
            0.68,
            arabic_male,
            arabic_female,
            arabic_family,
            script="arabic",
            script_share=0.35,
            estimated_dob_share=0.05,
            middle_share=0.5,
        ),
        _Corridor(
            0.08,
            _shares("SY:1.0"),
            0.55,
            arabic_male,
            arabic_female,
            syrian_family,
            script="arabic",
            script_share=0.35,
            middle_share=0.4,
        ),
        _Corridor(
            0.10,
            _shares("AF:0.65 PK:0.35"),
            0.75,
            *_pools(_AFGHAN_MALE, _AFGHAN_FEMALE, _AFGHAN_FAMILY),
            script="arabic",
            script_share=0.2,
            estimated_dob_share=0.25,
            middle_share=0.2,
        ),
        _Corridor(
            0.10,
            _shares("UA:0.7 RU:0.15 MD:0.08 BY:0.07"),
            0.35,
            *_pools(_SLAVIC_MALE, _SLAVIC_FEMALE, _SLAVIC_FAMILY),
            script="cyrillic",
            script_share=0.55,
            style="slavic",
        ),
        _Corridor(
            0.12,
            _shares("VE:0.35 CO:0.2 HN:0.12 GT:0.1 SV:0.08 MX:0.08 EC:0.07"),
            0.5,
            *_pools(_LATIN_AMERICA_MALE, _LATIN_AMERICA_FEMALE, _LATIN_AMERICA_FAMILY),
            style="two_surnames",
        ),
        _Corridor(
            0.03,
            _shares("BD:1.0"),
            0.7,
            *bangladesh,
            female_family=_Pool(_BANGLADESH_FEMALE_FAMILY, _FAMILY_EXPONENT),
        ),
        _Corridor(
            0.015,
            _shares("NP:1.0"),
            0.55,
            *_pools(_NEPAL_MALE, _NEPAL_FEMALE, _NEPAL_FAMILY),
        ),
        _Corridor(
            0.025,
            _shares("PH:1.0"),
            0.35,
            *_pools(_PHILIPPINES_MALE, _PHILIPPINES_FEMALE, _PHILIPPINES_FAMILY),
        ),
        _Corridor(
            0.015,
            _shares("VN:1.0"),
            0.55,
            *_pools(_VIETNAM_MALE, _VIETNAM_FEMALE, _VIETNAM_FAMILY),
            style="vietnamese",
        ),
        _Corridor(
            0.01,
            _shares("MM:1.0"),
            0.5,
            myanmar_male,
            myanmar_female,
            myanmar_male,
            female_family=myanmar_female,
            style="burmese",
        ),
    )


_CORRIDORS = _build_corridors()
_CORRIDOR_CUMULATIVE = list(accumulate(c.weight for c in _CORRIDORS))
_NATIONALITY_TABLES = tuple(
    (tuple(code for code, _ in c.nationalities), list(accumulate(w for _, w in c.nationalities)))
    for c in _CORRIDORS
)

# Age groups of a protection caseload: (share, youngest age, oldest age).
_AGE_GROUPS = ((0.12, 0, 14), (0.18, 15, 19), (0.5, 20, 34), (0.15, 35, 49), (0.05, 50, 75))
_AGE_CUMULATIVE = list(accumulate(share for share, _, _ in _AGE_GROUPS))

_VIETNAMESE_MIDDLE = {
    "male": ("Văn", "Văn", "Văn", "Đức", "Quốc", "Minh"),
    "female": ("Thị", "Thị", "Thị", "Ngọc", "Thu", "Kim"),
}


def _pick(cumulative: list[float], rng: random.Random) -> int:
    return min(bisect(cumulative, rng.random() * cumulative[-1]), len(cumulative) - 1)


def _birth_date(rng: random.Random, estimated_share: float) -> date:
    group = _AGE_GROUPS[_pick(_AGE_CUMULATIVE, rng)]
    age = group[1] + int(rng.random() * (group[2] - group[1] + 1))
    year = _REFERENCE_DAY.year - 1 - age
    if rng.random() < estimated_share:
        return date(year, 1, 1)
    start = date(year, 1, 1).toordinal()
    length = date(year + 1, 1, 1).toordinal() - start
    return date.fromordinal(start + int(rng.random() * length))


def _slavic_feminine(latin: str, form: str | None) -> tuple[str, str | None]:
    # Russian family names agree with the bearer's sex (Ivanov, Ivanova).
    if latin.endswith(("ov", "ev", "in")):
        return latin + "a", (form + "а") if form else form
    return latin, form


def _person(rng: random.Random) -> SyntheticPerson:
    index = _pick(_CORRIDOR_CUMULATIVE, rng)
    corridor = _CORRIDORS[index]
    codes, cumulative = _NATIONALITY_TABLES[index]
    nationality = codes[_pick(cumulative, rng)]
    male = rng.random() < corridor.male_share
    sex = "male" if male else "female"
    given_pool = corridor.male if male else corridor.female
    family_pool = (
        corridor.family if male or corridor.female_family is None else (corridor.female_family)
    )
    g = given_pool.draw(rng)
    f = family_pool.draw(rng)
    given, given_form = given_pool.latin[g], given_pool.script_form[g]
    family, family_form = family_pool.latin[f], family_pool.script_form[f]

    style = corridor.style
    if style == "slavic" and not male:
        family, family_form = _slavic_feminine(family, family_form)
    elif style == "two_surnames" and rng.random() < 0.6:
        family = family + " " + family_pool.latin[family_pool.draw(rng)]
    elif style == "vietnamese":
        middles = _VIETNAMESE_MIDDLE[sex]
        given = middles[int(rng.random() * len(middles))] + " " + given
    elif style == "burmese" and rng.random() < 0.5:
        family = family + " " + family_pool.latin[family_pool.draw(rng)]

    if corridor.middle_share and rng.random() < corridor.middle_share:
        middle_pool = corridor.male if corridor.middle_is_father else given_pool
        m = middle_pool.draw(rng)
        given = given + " " + middle_pool.latin[m]
        middle_form = middle_pool.script_form[m]
        given_form = (given_form + " " + middle_form) if given_form and middle_form else None

    canonical = given + " " + family
    script = "latin"
    if (
        corridor.script_share
        and given_form
        and family_form
        and rng.random() < corridor.script_share
    ):
        script = corridor.script
        given, family = given_form, family_form
    return SyntheticPerson(
        given_name=given,
        family_name=family,
        script=script,
        sex=sex,
        date_of_birth=_birth_date(rng, corridor.estimated_dob_share),
        nationality=nationality,
        canonical_latin=canonical,
    )


def generate_people(n: int, seed: int = 0) -> Iterator[SyntheticPerson]:
    """Yield ``n`` synthetic persons; the same ``n`` and ``seed`` always give the same persons."""
    rng = random.Random(seed)  # noqa: S311 - reproducible fake data, not a secret
    for _ in range(n):
        yield _person(rng)


# --------------------------------------------------------------------------------------------
# Other-script spellings
# --------------------------------------------------------------------------------------------


def _key(name: str) -> str:
    return " ".join(name.lower().replace("-", " ").split())


def _script_tables() -> dict[str, dict[str, str]]:
    tables: dict[str, dict[str, str]] = {"arabic": {}, "cyrillic": {}, "ethiopic": {}}
    sources = (
        ("arabic", _ARABIC_MALE + _ARABIC_FEMALE + _ARABIC_FAMILY + _SYRIAN_FAMILY),
        ("arabic", _AFGHAN_MALE + _AFGHAN_FEMALE + _AFGHAN_FAMILY),
        ("arabic", _EXTRA_ARABIC),
        ("cyrillic", _SLAVIC_MALE + _SLAVIC_FEMALE + _SLAVIC_FAMILY + _EXTRA_CYRILLIC),
        ("ethiopic", _HABESHA_MALE + _HABESHA_FEMALE + _HABESHA_FAMILY),
    )
    for script, text in sources:
        for latin, form in _parse_entries(text):
            if form is not None:
                # The first spelling listed wins (Arabic spellings before Dari ones).
                tables[script].setdefault(_key(latin), form)
    return tables


_SCRIPT_TABLES = _script_tables()
_LONGEST_ENTRY = max(len(k.split()) for table in _SCRIPT_TABLES.values() for k in table)


def script_spellings(target: str) -> dict[str, str]:
    """Latin spelling (lower case) -> spelling in ``target`` script, from the embedded tables."""
    return dict(_SCRIPT_TABLES[target])


def other_script_variant(name_latin: str, target: str) -> str | None:
    """Spelling of a Latin name in ``target`` script ("arabic", "cyrillic", "ethiopic").

    Full names are looked up word by word, longest known sequence first ("Abdul Rahman
    Al-Sayed" -> "عبد الرحمن السيد").  Returns None when any word is unknown.
    """
    table = _SCRIPT_TABLES.get(target)
    if table is None:
        return None
    words = _key(name_latin).split()
    out: list[str] = []
    i = 0
    while i < len(words):
        for length in range(min(_LONGEST_ENTRY, len(words) - i), 0, -1):
            form = table.get(" ".join(words[i : i + length]))
            if form is not None:
                out.append(form)
                i += length
                break
        else:
            if target == "cyrillic" and words[i].endswith(("ova", "eva", "ina")):
                stem = table.get(words[i][:-1])
                if stem is not None:
                    out.append(stem + "а")
                    i += 1
                    continue
            return None
    return " ".join(out) if out else None


# --------------------------------------------------------------------------------------------
# Spelling variants
# --------------------------------------------------------------------------------------------


def _variant_index() -> dict[str, tuple[str, ...]]:
    index: dict[str, tuple[str, ...]] = {}
    for line in _VARIANT_GROUPS.strip().splitlines():
        group = tuple(word.replace("_", " ") for word in line.split())
        for member in group:
            index.setdefault(_key(member), group)
    return index


_VARIANTS = _variant_index()


def variant_groups() -> list[tuple[str, ...]]:
    """The embedded groups of spellings of one name (for tests and benchmarks)."""
    return sorted(set(_VARIANTS.values()))


# Transliteration alternatives seen across registrations, tried as substring swaps.
_SWAPS = tuple(
    tuple(swap.split(">"))
    for swap in """
    ou>u u>ou oo>u ee>i ie>y y>i i>y ai>ei ei>ai a>e e>a e>i i>e o>u u>o
    kh>h kh>ch sh>ch ch>sh ph>f f>ph j>dj dj>j q>k k>c c>k w>v v>w
    th>t dh>d gh>g ks>x x>ks ii>iy iy>ii
    """.split()
)
# Neighbouring keys on a QWERTY keyboard, for one-key typos.
_KEYBOARD = dict(
    item.split(":")
    for item in """
    a:qsz b:vgn c:xdv d:sfe e:wrd f:dgr g:fht h:gjy i:uok j:hku k:jli l:ko m:n
    n:bm o:ipl p:o q:wa r:etf s:adw t:ryg u:yij v:cb w:qes x:zc y:tuh z:xa
    """.split()
)
_VOWELS = "aeiou"


def _strip_diacritics(word: str) -> str:
    """José -> Jose, Nguyễn -> Nguyen, Đức -> Duc; other scripts are returned unchanged."""
    decomposed = unicodedata.normalize("NFKD", word)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    if stripped.isascii():
        return stripped
    if all(ch.isascii() or "LATIN" in unicodedata.name(ch, "") for ch in stripped):
        return anyascii(stripped)
    return word


def _swap(word: str, rng: random.Random) -> str:
    lower = word.lower()
    options = [(a, b) for a, b in _SWAPS if a in lower]
    if not options:
        return word
    a, b = options[int(rng.random() * len(options))]
    positions = [i for i in range(len(lower)) if lower.startswith(a, i)]
    at = positions[int(rng.random() * len(positions))]
    return lower[:at] + b + lower[at + len(a) :]


def _double_or_undouble(word: str, rng: random.Random) -> str:
    lower = word.lower()
    doubled = [i for i in range(1, len(lower)) if lower[i] == lower[i - 1]]
    if doubled and rng.random() < 0.6:
        at = doubled[int(rng.random() * len(doubled))]
        return lower[:at] + lower[at + 1 :]
    consonants = [i for i in range(1, len(lower)) if lower[i] not in _VOWELS]
    if not consonants:
        return lower + lower[-1]
    at = consonants[int(rng.random() * len(consonants))]
    return lower[: at + 1] + lower[at] + lower[at + 1 :]


def _typo(word: str, rng: random.Random) -> str:
    lower = word.lower()
    if len(lower) < 3:
        return lower + lower[-1]
    at = 1 + int(rng.random() * (len(lower) - 1))
    kind = rng.random()
    if kind < 0.35 and lower[at] in _KEYBOARD:
        neighbours = _KEYBOARD[lower[at]]
        return lower[:at] + neighbours[int(rng.random() * len(neighbours))] + lower[at + 1 :]
    if kind < 0.6 and at < len(lower) - 1:
        return lower[:at] + lower[at + 1] + lower[at] + lower[at + 2 :]
    if kind < 0.8:
        return lower[:at] + lower[at + 1 :]
    return lower[:at] + lower[at - 1] + lower[at:]


def _capitalised_like(original: str, new: str) -> str:
    if original[:1].isupper() and new:
        return new[0].upper() + new[1:]
    return new


def _edit_word(word: str, rng: random.Random) -> str:
    if not word.isascii() and _strip_diacritics(word).isascii() and rng.random() < 0.5:
        return _strip_diacritics(word)
    base = _strip_diacritics(word) if _strip_diacritics(word).isascii() else word
    roll = rng.random()
    if not base.isascii():
        # Another script: a doubled or dropped letter is the realistic slip.
        at = int(rng.random() * len(base))
        return base[:at] + base[at] + base[at:] if roll < 0.5 else base[:at] + base[at + 1 :]
    if roll < 0.45:
        new = _swap(base, rng)
    elif roll < 0.7:
        new = _double_or_undouble(base, rng)
    else:
        new = _typo(base, rng)
    return _capitalised_like(word, new)


def spelling_variant(name: str, rng: random.Random) -> str:
    """A different spelling of ``name`` as another registration might have written it.

    Known transliteration variants first (Mohammed -> Muhammad, Youssef -> Yusuf, Oleksandr ->
    Aleksandr), otherwise a common letter swap, a doubled or dropped letter, or one typo.
    Always differs from ``name`` when ``name`` has a letter.
    """
    group = _VARIANTS.get(_key(name))
    if group and len(group) > 1 and rng.random() < 0.7:
        others = [m for m in group if _key(m) != _key(name)]
        return others[int(rng.random() * len(others))]
    words = name.split()
    if not words:
        return name
    known = [i for i, w in enumerate(words) if len(_VARIANTS.get(_key(w), ())) > 1]
    for _attempt in range(8):
        new_words = list(words)
        if known and rng.random() < 0.6:
            i = known[int(rng.random() * len(known))]
            others = [m for m in _VARIANTS[_key(words[i])] if _key(m) != _key(words[i])]
            new_words[i] = others[int(rng.random() * len(others))]
        else:
            i = int(rng.random() * len(words))
            new_words[i] = _edit_word(words[i], rng)
        candidate = " ".join(w for w in new_words if w)
        if candidate and candidate != name:
            return candidate
    return name + name[-1]
