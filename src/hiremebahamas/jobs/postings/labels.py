"""How the marketplace's enums read on pages and in emails."""

from __future__ import annotations

from hiremebahamas.models import ApplicationStatus, EmploymentType, JobCategory, JobStatus, SalaryPeriod

EMPLOYMENT_TYPE_LABELS: dict[EmploymentType, str] = {
    EmploymentType.FULL_TIME: "Full-time",
    EmploymentType.PART_TIME: "Part-time",
    EmploymentType.CONTRACT: "Contract",
    EmploymentType.TEMPORARY: "Temporary",
    EmploymentType.INTERNSHIP: "Internship",
    EmploymentType.SEASONAL: "Seasonal",
}

CATEGORY_LABELS: dict[JobCategory, str] = {
    JobCategory.ACCOUNTING: "Accounting",
    JobCategory.ADMINISTRATION: "Administration",
    JobCategory.BANKING: "Banking and finance",
    JobCategory.CONSTRUCTION: "Construction and trades",
    JobCategory.CUSTOMER_SERVICE: "Customer service",
    JobCategory.EDUCATION: "Education",
    JobCategory.ENGINEERING: "Engineering",
    JobCategory.GOVERNMENT: "Government and public sector",
    JobCategory.HEALTHCARE: "Healthcare",
    JobCategory.HOSPITALITY: "Hospitality and tourism",
    JobCategory.IT: "Information technology",
    JobCategory.LEGAL: "Legal",
    JobCategory.MARITIME: "Maritime and fishing",
    JobCategory.MARKETING: "Marketing and media",
    JobCategory.RETAIL: "Retail",
    JobCategory.SALES: "Sales",
    JobCategory.TRANSPORT: "Transport and logistics",
    JobCategory.OTHER: "Other",
}

SALARY_PERIOD_LABELS: dict[SalaryPeriod, str] = {
    SalaryPeriod.HOUR: "per hour",
    SalaryPeriod.MONTH: "per month",
    SalaryPeriod.YEAR: "per year",
}

JOB_STATUS_LABELS: dict[JobStatus, str] = {
    JobStatus.DRAFT: "Draft",
    JobStatus.OPEN: "Open",
    JobStatus.CLOSED: "Closed",
    JobStatus.EXPIRED: "Expired",
}

APPLICATION_STATUS_LABELS: dict[ApplicationStatus, str] = {
    ApplicationStatus.APPLIED: "Applied",
    ApplicationStatus.REVIEWING: "Reviewing",
    ApplicationStatus.INTERVIEW: "Interview",
    ApplicationStatus.OFFER: "Offer",
    ApplicationStatus.HIRED: "Hired",
    ApplicationStatus.REJECTED: "Not selected",
    ApplicationStatus.WITHDRAWN: "Withdrawn",
}
