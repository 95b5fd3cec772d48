from datetime import date
from moderation import pipeline
from moderation.export.report import gather, keywords_for, report_docx, report_html
from moderation.web.templating import channel_labels

def test_dump(seeded, settings):
    pipeline.score_pending(seeded, settings)
    r = gather(seeded, "weekly", date(2024,1,19), date(2024,1,25), keywords=keywords_for(settings.data_path), labels=channel_labels(settings))
    open("/tmp/h28/weekly.html","wb").write(report_html(r))
    open("/tmp/h28/weekly.docx","wb").write(report_docx(r))
    for l in r.overview: print(l)
    for s in r.stories:
        print(s["title"], s["comments"], s["negative"], s["outlets"], s["keywords"])
        for v in s["views"]:
            print("  ", v["view"])
            for q in v["quotes"]: print("     ", q["author"], q["text"][:60])
    print(r.negative)
    print(r.trend)
