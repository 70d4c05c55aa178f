"""QA documents in other languages: one small report per language, written as its speakers write them.

Each report states a run (passed / failed / skipped), one open severe defect and one fixed minor
one, a date, and a verdict; the extractor must read all of it from the language's vocabulary file.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from opsrelay.facts import vocab
from opsrelay.facts.extract import extract_facts
from opsrelay.facts.model import QAFacts

pytestmark = pytest.mark.usefixtures("facts_strict")


def facts(text: str, name: str = "report.md") -> QAFacts:
    return extract_facts(text, source_name=name, source_sha256="0")


@dataclass(frozen=True)
class Report:
    """A report in one language; ``verdict`` is what its verdict line means."""

    code: str
    text: str
    verdict: str
    date: str


REPORTS = [
    Report(
        "es",
        "# Informe de pruebas — Pasarela de pagos\n\n**Fecha:** 3 de noviembre de 2025\n\n"
        "## Resultados\n\nSe ejecutaron las pruebas del sistema con el equipo de calidad.\n\n"
        "| Módulo | Total | Pasadas | Fallidas | Omitidas |\n|---|---|---|---|---|\n"
        "| Total | 40 | 37 | 2 | 1 |\n\n## Defectos\n\n| ID | Descripción | Severidad | Estado |\n"
        "|---|---|---|---|\n| BUG-1 | El pago se duplica | Crítico | Abierto |\n"
        "| BUG-2 | Texto cortado | Menor | Corregido |\n\n## Conclusión\n\n**Veredicto:** NO APROBADO\n",
        "FAIL",
        "2025-11-03",
    ),
    Report(
        "pt",
        "# Relatório de testes — Portal do cliente\n\n**Data:** 03/11/2025\n\n## Resultados\n\n"
        "Os testes de regressão foram executados para a versão 2.4 do sistema, com a equipe de qualidade.\n\n"
        "| Suite | Total | Aprovados | Falhas | Ignorados |\n|---|---|---|---|---|\n"
        "| Total | 40 | 37 | 2 | 1 |\n\n## Defeitos\n\n| ID | Descrição | Severidade | Status |\n"
        "|---|---|---|---|\n| BUG-1 | Login falha com SSO | Crítico | Aberto |\n"
        "| BUG-2 | Ícone desalinhado | Baixa | Corrigido |\n\n## Conclusão\n\n**Parecer final:** Reprovado\n",
        "FAIL",
        "2025-03-11",
    ),
    Report(
        "fr",
        "# Rapport de recette — Application mobile\n\n**Date :** 3 novembre 2025\n\n## Résultats\n\n"
        "Les tests ont été exécutés sur la version candidate avec les données de la production.\n\n"
        "| Lot | Total | Réussis | Échoués | Ignorés |\n|---|---|---|---|---|\n"
        "| Total | 40 | 37 | 2 | 1 |\n\n## Anomalies\n\n| ID | Description | Sévérité | Statut |\n"
        "|---|---|---|---|\n| BUG-1 | Crash au paiement | Bloquant | Ouvert |\n"
        "| BUG-2 | Faute de frappe | Mineure | Corrigé |\n\n## Synthèse\n\n**Verdict :** ÉCHEC\n",
        "FAIL",
        "2025-11-03",
    ),
    Report(
        "de",
        "# Testbericht — Kundenportal\n\n**Datum:** 3. November 2025\n\n## Ergebnisse\n\n"
        "Die Tests wurden auf der Staging-Umgebung mit den Daten der Produktion ausgeführt.\n\n"
        "| Bereich | Gesamt | Bestanden | Fehlgeschlagen | Übersprungen |\n|---|---|---|---|---|\n"
        "| Gesamt | 40 | 37 | 2 | 1 |\n\n## Fehler\n\n| ID | Beschreibung | Schweregrad | Status |\n"
        "|---|---|---|---|\n| BUG-1 | Zahlung doppelt gebucht | Kritisch | Offen |\n"
        "| BUG-2 | Tippfehler | Niedrig | Behoben |\n\n## Fazit\n\n**Gesamturteil:** Nicht bestanden\n",
        "FAIL",
        "2025-11-03",
    ),
    Report(
        "it",
        "# Rapporto di test — Portale clienti\n\n**Data:** 3 novembre 2025\n\n## Risultati\n\n"
        "I test sono stati eseguiti per la versione candidata con il gruppo della qualità.\n\n"
        "| Area | Totale | Superati | Falliti | Saltati |\n|---|---|---|---|---|\n"
        "| Totale | 40 | 37 | 2 | 1 |\n\n## Difetti\n\n| ID | Descrizione | Gravità | Stato |\n"
        "|---|---|---|---|\n| BUG-1 | Pagamento duplicato | Critico | Aperto |\n"
        "| BUG-2 | Refuso | Bassa | Risolto |\n\n## Conclusione\n\n**Esito finale:** Non superato\n",
        "FAIL",
        "2025-11-03",
    ),
    Report(
        "ru",
        "# Отчёт о тестировании — Платёжный шлюз\n\n**Дата:** 3 ноября 2025\n\n## Результаты\n\n"
        "| Набор | Всего | Успешно | Провалено | Пропущено |\n|---|---|---|---|---|\n"
        "| Итого | 40 | 37 | 2 | 1 |\n\n## Дефекты\n\n| ID | Описание | Приоритет | Статус |\n"
        "|---|---|---|---|\n| BUG-1 | Двойное списание | Критический | Открыт |\n"
        "| BUG-2 | Опечатка | Низкий | Исправлен |\n\n## Итог\n\n**Вердикт:** GO — условно, после BUG-1\n",
        "CONDITIONAL",
        "2025-11-03",
    ),
    Report(
        "zh",
        "# 支付服务 测试报告\n\n**测试日期**：2025年11月3日\n\n## 测试结果汇总\n\n"
        "| 模块 | 用例总数 | 通过 | 失败 | 跳过 |\n|---|---|---|---|---|\n| 合计 | 40 | 37 | 2 | 1 |\n\n"
        "## 缺陷列表\n\n| 编号 | 描述 | 严重程度 | 状态 |\n|---|---|---|---|\n"
        "| BUG-1 | 支付回调超时 | 致命 | 未修复 |\n| BUG-2 | 按钮文字错误 | 轻微 | 已修复 |\n\n"
        "## 结论\n\n**发布结论**：NO-GO，存在失败用例和未修复的致命缺陷。\n",
        "NO-GO",
        "2025-11-03",
    ),
    Report(
        "ja",
        "# 決済サービス テスト報告書\n\n**実施日**：2025年11月3日\n\n## テスト結果\n\n"
        "| 区分 | 合計 | 合格 | 失敗 | スキップ |\n|---|---|---|---|---|\n| 合計 | 40 | 37 | 2 | 1 |\n\n"
        "## 不具合\n\n| ID | 概要 | 重要度 | ステータス |\n|---|---|---|---|\n"
        "| BUG-1 | 二重決済が発生する | 致命的 | 未修正 |\n| BUG-2 | 誤字 | 軽微 | 修正済み |\n\n"
        "## 結論\n\n**総合判定**：不合格\n",
        "FAIL",
        "2025-11-03",
    ),
    Report(
        "ko",
        "# 결제 서비스 테스트 보고서\n\n**작성일**: 2025년 11월 3일\n\n## 테스트 결과\n\n"
        "| 구분 | 전체 | 통과 | 실패 | 건너뜀 |\n|---|---|---|---|---|\n| 합계 | 40 | 37 | 2 | 1 |\n\n"
        "## 결함\n\n| ID | 설명 | 심각도 | 상태 |\n|---|---|---|---|\n"
        "| BUG-1 | 결제가 두 번 처리됨 | 치명적 | 미해결 |\n| BUG-2 | 오타 | 낮음 | 해결됨 |\n\n"
        "## 결론\n\n**최종 판정**: 조건부 통과\n",
        "CONDITIONAL",
        "2025-11-03",
    ),
    Report(
        "ar",
        "# تقرير الاختبار — خدمة الدفع\n\n**التاريخ:** 2025-11-03\n\n## النتائج\n\n"
        "تم تنفيذ الاختبارات على بيئة الاختبار من قبل فريق الجودة في هذا الإصدار من النظام.\n\n"
        "| الوحدة | الإجمالي | ناجح | فاشل | متخطى |\n|---|---|---|---|---|\n"
        "| الإجمالي | 40 | 37 | 2 | 1 |\n\n## العيوب\n\n| ID | الوصف | الخطورة | الحالة |\n"
        "|---|---|---|---|\n| BUG-1 | خصم مزدوج | حرجة | مفتوح |\n| BUG-2 | خطأ إملائي | منخفضة | مغلق |\n\n"
        "## الخلاصة\n\n**القرار النهائي:** فشل\n",
        "FAIL",
        "2025-11-03",
    ),
    Report(
        "tr",
        "# Test Raporu — Ödeme Servisi\n\n**Tarih:** 3 Kasım 2025\n\n## Sonuçlar\n\n"
        "Testler bu sürüm için kalite ekibi ile birlikte test ortamında çalıştırıldı ve raporlandı.\n\n"
        "| Modül | Toplam | Başarılı | Başarısız | Atlanan |\n|---|---|---|---|---|\n"
        "| Toplam | 40 | 37 | 2 | 1 |\n\n## Hatalar\n\n| ID | Açıklama | Önem | Durum |\n|---|---|---|---|\n"
        "| BUG-1 | Çift ödeme | Kritik | Açık |\n| BUG-2 | Yazım hatası | Düşük | Düzeltildi |\n\n"
        "## Sonuç\n\n**Nihai karar:** Başarısız\n",
        "FAIL",
        "2025-11-03",
    ),
    Report(
        "id",
        "# Laporan Pengujian — Layanan Pembayaran\n\n**Tanggal:** 3 November 2025\n\n## Hasil\n\n"
        "Pengujian dijalankan di lingkungan staging untuk rilis ini dan hasil dari tim yang sama.\n\n"
        "| Modul | Total | Lulus | Gagal | Dilewati |\n|---|---|---|---|---|\n"
        "| Total | 40 | 37 | 2 | 1 |\n\n## Defek\n\n| ID | Deskripsi "
        "| Prioritas | Status |\n|---|---|---|---|\n"
        "| BUG-1 | Pembayaran ganda | Kritis | Terbuka |\n| BUG-2 | Salah ketik | Rendah | Diperbaiki |\n\n"
        "## Kesimpulan\n\n**Keputusan akhir:** Gagal\n",
        "FAIL",
        "2025-11-03",
    ),
    Report(
        "vi",
        "# Báo cáo kiểm thử — Dịch vụ thanh toán\n\n**Ngày:** 2025-11-03\n\n## Kết quả\n\n"
        "Các ca kiểm thử được chạy trên môi trường staging cho bản phát hành này của hệ thống.\n\n"
        "| Mô-đun | Tổng | Đạt | Không đạt | Bỏ qua |\n|---|---|---|---|---|\n"
        "| Tổng | 40 | 37 | 2 | 1 |\n\n## Lỗi\n\n| ID | Mô tả | Mức độ | Trạng thái |\n|---|---|---|---|\n"
        "| BUG-1 | Thanh toán hai lần | Nghiêm trọng | Đang mở |\n| "
        "BUG-2 | Lỗi chính tả | Thấp | Đã sửa |\n\n"
        "## Kết luận\n\n**Quyết định cuối cùng:** Không đạt\n",
        "FAIL",
        "2025-11-03",
    ),
]


@pytest.mark.parametrize("report", REPORTS, ids=lambda r: r.code)
def test_a_report_in_each_language(report: Report) -> None:
    f = facts(report.text)
    assert f.language == report.code
    assert [(r.total, r.passed, r.failed, r.skipped) for r in f.test_results] == [(40, 37, 2, 1)]
    assert {d.id: (d.severity, d.status) for d in f.defects} == {
        "BUG-1": ("P0", "open"),
        "BUG-2": ("P3", "fixed"),
    }
    assert f.verdict.value == report.verdict
    assert f.report_date is not None and f.report_date.value == report.date
    assert f.release_blocked  # two failed tests and an open P0, whatever the language
    assert any(x.reason == "2 failed tests of 40" for x in f.outcome_failures)


def test_chinese_counts_without_a_table() -> None:
    # "失败 2" writes the count after the word, without a colon
    f = facts("# 测试报告\n\n本次测试共执行用例 50 个：通过 48，失败 2。\n\n**结论**：不通过\n")
    assert [(r.passed, r.failed) for r in f.test_results] == [(48, 2)]
    assert f.verdict.value == "FAIL" and f.release_blocked


@pytest.mark.parametrize(
    ("line", "blocked"),
    [
        ("The system is not production-ready.", True),
        ("El sistema no está listo para producción.", True),
        ("O sistema não está pronto para produção.", True),
        ("Le système n'est pas prêt pour la production : pas prêt pour la production.", True),
        ("Das System ist nicht produktionsreif.", True),
        ("Il sistema non è pronto per la produzione.", True),
        ("Система не готова к релизу.", True),
        ("当前版本不建议发布。", True),
        ("本番リリース不可。", True),
        ("현재 빌드는 배포 불가 상태입니다.", True),
        ("النظام غير جاهز للإنتاج.", True),
        ("Sistem üretime hazır değil.", True),
        ("SISTEM TIDAK PRODUCTION-READY", True),
        ("Hệ thống chưa sẵn sàng phát hành.", True),
        ("Release can continue as planned.", False),
        ("El sistema está listo para producción.", False),
    ],
)
def test_release_statements_in_any_language(line: str, blocked: bool) -> None:
    f = facts(f"# QA\n\nTests: 10 passed, 0 failed.\n\n## Conclusion\n\n{line}\n")
    assert f.release_blocked is blocked
    assert f.verdict.value == ("NO-GO" if blocked else "GO")


def test_a_conditional_statement_is_not_a_release_statement() -> None:
    f = facts(
        "# QA\n\nTests: 10 passed, 0 failed.\n\nIf the load test fails, the system is not production-ready.\n"
    )
    assert not f.release_blocked and f.outcome_failures == []


@pytest.mark.parametrize(
    "line",
    [
        "When the load test fails, the system is not production-ready.",
        "Cuando falle la prueba de carga, el sistema no está listo para producción.",
        "Quando il test di carico fallisce, il sistema non è pronto per la produzione.",
        "Falls der Lasttest fehlschlägt, ist das System nicht produktionsreif.",
        "如果负载测试失败，系统不可发布。",
        "若负载测试失败，系统不可发布。",
    ],
)
def test_a_conditional_statement_in_any_language_is_not_a_verdict(line: str) -> None:
    # The verdict reader and the outcome reader share one list of conditional openers
    # (lang/*.yaml: conditional_clause); a hand-kept copy had lost "cuando", "quando", "falls", "若"
    # and required a word boundary after 如果, so these lines read as NO-GO.
    f = facts(f"# QA\n\nTests: 10 passed, 0 failed.\n\n{line}\n")
    assert f.verdict.value == "unknown"
    assert not f.release_blocked and f.outcome_failures == []


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (
            "Pengujian dilakukan dengan JMeter dan hasil yang ada di "
            "dalam laporan ini tidak memenuhi target untuk "
            "sistem yang akan dirilis, dan tim akan melakukan perbaikan "
            "pada sistem dengan segera dari sekarang.",
            "id",
        ),
        (
            "Bu rapor, sistemin performans testleri için hazırlanmış "
            "olup test sonuçları ve bir değerlendirme ile "
            "çok daha fazla bilgi içermektedir; bu sonuçlar için ekip ile "
            "birlikte çalışılmıştır ve daha çok iş var.",
            "tr",
        ),
        (
            "Báo cáo này trình bày kết quả kiểm thử của hệ thống và các "
            "lỗi được tìm thấy trong quá trình kiểm thử, "
            "những lỗi này là các vấn đề cần được sửa trong bản phát "
            "hành tiếp theo cho hệ thống của chúng tôi.",
            "vi",
        ),
    ],
)
def test_language_detection_by_common_words(text: str, code: str) -> None:
    assert facts(f"# QA\n\n{text}\n").language == code


def test_every_language_file_loads_with_the_core_vocabulary() -> None:
    codes = {lang.code for lang in vocab.languages()}
    assert {"en", "es", "pt", "fr", "de", "it", "ru", "zh", "ja", "ko", "ar", "tr", "id", "vi"} <= codes
    core = ("pass", "fail", "sev_p0", "sev_p1", "status_open", "status_fixed", "count_failed", "h_summary")
    for lang in vocab.languages():
        missing = [c for c in core if not lang.terms.get(c)]
        assert not missing, f"{lang.code}: {missing}"
        assert not lang.months or len(lang.months) == 12


def test_vocabularies_are_loaded_once() -> None:
    assert vocab.languages() is vocab.languages()
    assert vocab.pattern("fail") is vocab.pattern("fail")


def test_a_language_is_a_file() -> None:
    # The loader reads any file of the same shape; words that YAML would turn into booleans stay words.
    lang = vocab._load_file("xx", "code: xx\nname: Test\nfail: [no, off, fallo*]\nmonths: []\n")
    assert lang.terms["fail"] == ("no", "off", "fallo*")


@pytest.mark.parametrize(
    ("term", "matches", "misses"),
    [
        ("no-go", ["NO-GO", "no go", "NOGO"], ["nogood"]),
        ("критич*", ["критический", "Критичная"], ["некритично"]),
        ("overall [qa] verdict", ["Overall QA Verdict", "overall verdict"], ["overall qa"]),
        ("测试计划", ["本测试计划说明"], ["测试报告"]),
        ("실패", ["실패했습니다"], ["성공"]),
    ],
)
def test_term_syntax(term: str, matches: list[str], misses: list[str]) -> None:
    import re

    pattern = re.compile(vocab.alternation([term]), re.I)
    assert all(pattern.search(m) for m in matches)
    assert not any(pattern.search(m) for m in misses)


def test_arabic_counts_in_prose_with_the_conjunction_attached() -> None:
    # "نجح 48 وفشل 4": "passed 48 and failed 4"; و ("and") is written joined to the next word
    f = facts(
        "# تقرير ضمان الجودة — تطبيق المتجر\n\n## ملخص التنفيذ\n\nتم تنفيذ 52 اختبارًا: نجح 48 وفشل 4.\n\n"
        "## الخلاصة\n\n**القرار:** غير جاهز للإنتاج حتى إصلاح الأعطال الأربعة.\n"
    )
    assert [(r.total, r.passed, r.failed) for r in f.test_results] == [(52, 48, 4)]
    assert f.language == "ar" and f.verdict.value == "NO-GO" and f.release_blocked


def test_russian_load_test_log() -> None:
    f = facts(
        "# Нагрузочное тестирование API\n\n## Результаты\n\n- Среднее время отклика: 850 мс\n"
        "- 95-й перцентиль: 1,2 с\n- RPS: 120\n- Ошибки: 2.5%\n\n## Итог\n\n"
        "Всего тестов: 52, пройдено: 48, провалено: 4.\n"
    )
    assert {(m.metric, m.value, m.unit) for m in f.performance} >= {
        ("avg", 850.0, "ms"),
        ("throughput", 120.0, "rps"),
        ("error_rate", 2.5, "%"),
    }
    assert [(r.total, r.passed, r.failed) for r in f.test_results] == [(52, 48, 4)]
    assert f.release_blocked


@pytest.mark.parametrize(
    "header", ["Service", "Micro-services", "Servicio", "Servizio", "Dienst", "サービス"]
)
def test_a_services_table_in_any_language(header: str) -> None:
    # lang/*.yaml col_service: adding a language adds its services column, with no code change.
    f = facts(
        f"# QA\n\n12 tests passed.\n\n| {header} | Status |\n|---|---|\n"
        "| gateway | ✅ PASS |\n| billing | ❌ FAIL |\n| search | ✅ PASS |\n"
    )
    got = [(s.name, s.status) for s in f.services]
    assert got == [("gateway", "ok"), ("billing", "failing"), ("search", "ok")]


@pytest.mark.parametrize("header", ["Component", "Module", "Componente", "Modul"])
def test_a_component_or_module_column_is_not_a_services_table(header: str) -> None:
    f = facts(
        f"# QA\n\n12 tests passed.\n\n| {header} | Status |\n|---|---|\n"
        "| gateway | ✅ PASS |\n| billing | ❌ FAIL |\n| search | ✅ PASS |\n"
    )
    assert f.services == []


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Pass rate: 100% (8/8)", [(8, 8)]),
        ("通过率: 87.5% (7/8)", [(7, 8)]),
        ("Taxa de aprovação: 75% (6/8)", [(6, 8)]),
        ("Tasa de éxito: 75% (6/8)", [(6, 8)]),
        ("Erfolgsquote: 75 % (6/8)", [(6, 8)]),
        ("Tỷ lệ đạt: 75% (6/8)", [(6, 8)]),
        ("Bypass rate: 5% (1/20)", []),  # a whole word of lang/*.yaml pass_rate, not a word ending in "pass"
    ],
)
def test_a_pass_rate_with_its_ratio_in_any_language(line: str, expected: list[tuple[int, int]]) -> None:
    f = facts(f"# QA report\n\n## Test results\n\n- {line} tests\n")
    assert [(r.passed, r.total) for r in f.test_results] == expected


@pytest.mark.parametrize(
    ("heading", "status"),
    [("Scenario", "Status: Passed"), ("Escenario", "Estado: Aprobado"), ("Сценарий", "Статус: Пройден")],
)
def test_scenarios_that_record_their_result_in_any_language_raise_no_question(
    heading: str, status: str
) -> None:
    # Scenario headings were read in many languages but their results only in English, so a Spanish
    # or Russian report with every result recorded was asked why none was.
    items = "".join(f"### {heading} {i}\n\n{status}\n\n" for i in range(1, 4))
    f = facts(f"# QA\n\nTests: 3 passed, 0 failed.\n\n{items}Verdict: PASS\n")
    assert f.verdict.value == "PASS"
    assert not any("record no status" in q.question for q in f.open_questions)
    unrecorded = facts(
        f"# QA\n\nTests: 3 passed, 0 failed.\n\n{items.replace(status, 'Notes: -')}Verdict: PASS\n"
    )
    assert any(
        q.question.startswith("3 of 3 test scenarios record no status") for q in unrecorded.open_questions
    )
